with

source as (

    select * from {{ source('raw', 'tariff_actions') }}

),

final as (

    select
        -- ids
        action_id,
        payload_sha256,

        -- strings
        title,
        lower(instrument) as instrument,
        imposing,
        affected,
        {{ split_codes('upper(imposing)') }} as imposing_codes,
        {{ split_codes('upper(affected)') }} as affected_codes,
        product_scope,
        legal_citation,
        status_note,
        source_url,
        source,

        -- numerics
        cast(rate_pct as double) as rate_pct,

        -- booleans: trade agreements and the memorandum withdrawing from one are not tariffs
        lower(instrument) in ('trade_agreement', 'presidential_memorandum') as is_agreement,

        -- dates
        cast(announced_on as date) as announced_on,
        cast(effective_on as date) as effective_on,
        cast(ended_on as date) as ended_on,
        cast(loaded_at as timestamptz) as loaded_at

    from source

)

select * from final
