with

source as (

    select * from {{ source('raw', 'quarantine') }}

),

final as (

    select
        source,
        payload_sha256,
        cast(record as varchar) as record,
        reason,
        cast(quarantined_at as timestamptz) as quarantined_at

    from source

)

select * from final
