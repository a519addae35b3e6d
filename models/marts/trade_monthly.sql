{#
    Monthly total goods trade between the pair, one row per month. Annual figures are in
    intermediate.int_trade_totals; only months are here.
#}

with

trade_totals as (

    select * from {{ ref('int_trade_totals') }}

),

final as (

    select
        period_start as month,
        period,
        us_exports_usd,
        us_imports_usd,
        balance_usd,
        balance_basis,
        available_on,
        array_to_string(source_urls, ' | ') as source_url,
        sources,
        payload_sha256s

    from trade_totals
    where period_type = 'month'

)

select * from final
