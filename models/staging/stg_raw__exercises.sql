with

source as (

    select * from {{ source('raw', 'exercises') }}

),

final as (

    select
        -- ids
        exercise_id,
        payload_sha256,

        -- strings
        name,
        series,
        participants,
        {{ split_codes('series') }} as series_list,
        {{ split_codes('upper(participants)') }} as participant_codes,
        location,
        lower(date_precision) as date_precision,
        lower(status) as status,
        note,
        source_url,
        source,

        -- dates
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        cast(announced_on as date) as announced_on,
        -- the one date every record can be placed by: suspended or cancelled exercises
        -- often have only the date their fate was announced
        cast(coalesce(start_date, announced_on, end_date) as date) as reference_date,
        cast(loaded_at as timestamptz) as loaded_at

    from source

)

select * from final
