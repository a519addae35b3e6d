with

source as (

    select * from {{ source('raw', 'trade_flows') }}

),

typed as (

    select
        -- keys
        source,
        upper(reporter) as reporter,
        upper(partner) as partner,
        lower(flow) as flow,
        commodity_code,
        period,

        -- a missing period_type is read off the period's shape: YYYY-MM or YYYY
        coalesce(
            lower(period_type),
            case
                when regexp_full_match(period, '\d{4}-\d{2}') then 'month'
                when regexp_full_match(period, '\d{4}') then 'year'
            end
        ) as period_type,

        -- strings
        commodity_desc,
        source_url,
        payload_sha256,

        -- numerics
        cast(value_usd as double) as value_usd,

        -- dates
        cast(loaded_at as timestamptz) as loaded_at

    from source

),

final as (

    -- a malformed period gives null dates, which the not_null tests report
    select
        *,
        case period_type
            when 'month' then cast(try_strptime(period || '-01', '%Y-%m-%d') as date)
            when 'year' then make_date(try_cast(period as integer), 1, 1)
        end as period_start,
        case period_type
            when 'month' then last_day(cast(try_strptime(period || '-01', '%Y-%m-%d') as date))
            when 'year' then make_date(try_cast(period as integer), 12, 31)
        end as period_end,
        upper(commodity_code) = 'TOTAL' as is_all_commodities_total

    from typed

)

select * from final
