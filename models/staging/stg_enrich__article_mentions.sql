with

source as (

    select * from {{ source('enrich', 'article_mentions') }}

),

final as (

    select
        -- ids
        article_id,
        mention_id,

        -- strings
        lower(entity_type) as entity_type,
        entity_key,
        -- the dictionary is a CSV: an empty cell means "none"
        nullif(lower(trim(record_table)), '') as record_table,
        nullif(trim(record_match), '') as record_match,
        nullif(lower(trim(topic)), '') as topic,
        alias,
        matched_text,
        context,

        -- numerics
        cast(start_char as bigint) as start_char,
        cast(end_char as bigint) as end_char,
        cast(tone as double) as tone

    from source

)

select * from final
