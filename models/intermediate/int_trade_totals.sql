{#
    Total goods trade between the pair, one row per period (month or year), reported by
    var alliance_a with var alliance_b as partner.

    For each period and flow one figure is chosen: the all-commodities TOTAL row first; for years
    without one, a sector table's total line ('Total', 'All merchandise ...'). The balance is
    exports - imports when both are known, else the balance as published.
    available_on = period_end + var trade_availability_lag_days: figures are not public the day
    a period ends, and an article can only have known what was published before it.
#}

with

trade_flows as (

    select * from {{ ref('stg_raw__trade_flows') }}

),

pair_flows as (

    select
        *,
        case
            when is_all_commodities_total then 1
            when lower(commodity_code) = 'total' or lower(commodity_code) like 'all merchandise%' then 2
        end as total_precedence

    from trade_flows
    where reporter = '{{ var("alliance_a") }}'
        and partner = '{{ var("alliance_b") }}'
        and value_usd is not null

),

chosen_flows as (

    select * from pair_flows
    where total_precedence is not null
    qualify row_number() over (
        partition by period_type, period, flow
        order by total_precedence, loaded_at desc, source
    ) = 1

),

pivoted as (

    select
        period,
        period_type,
        min(period_start) as period_start,
        min(period_end) as period_end,
        max(value_usd) filter (where flow = 'export') as us_exports_usd,
        max(value_usd) filter (where flow = 'import') as us_imports_usd,
        max(value_usd) filter (where flow = 'balance') as published_balance_usd,
        list_sort(list(distinct source)) as sources,
        list_sort(list(distinct source_url) filter (where source_url is not null)) as source_urls,
        list_sort(list(distinct payload_sha256) filter (where payload_sha256 is not null)) as payload_sha256s

    from chosen_flows
    group by period, period_type

),

final as (

    select
        period,
        period_type,
        period_start,
        period_end,
        period_end + cast({{ var('trade_availability_lag_days') }} as integer) as available_on,
        us_exports_usd,
        us_imports_usd,
        case
            when us_exports_usd is not null and us_imports_usd is not null then us_exports_usd - us_imports_usd
            else published_balance_usd
        end as balance_usd,
        case
            when us_exports_usd is not null and us_imports_usd is not null then 'computed'
            when published_balance_usd is not null then 'published'
        end as balance_basis,
        sources,
        coalesce(source_urls, []::varchar[]) as source_urls,
        coalesce(payload_sha256s, []::varchar[]) as payload_sha256s

    from pivoted

)

select * from final
