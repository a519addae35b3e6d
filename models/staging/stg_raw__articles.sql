with

source as (

    select * from {{ source('raw', 'articles') }}

),

final as (

    select
        -- ids
        article_id,
        payload_sha256,

        -- strings
        source,
        url,
        title,
        author,
        publisher,
        lower(language) as language,
        body,
        feed_url,

        -- dates
        cast(published_on as date) as published_on,
        cast(loaded_at as timestamptz) as loaded_at

    from source

)

select * from final
