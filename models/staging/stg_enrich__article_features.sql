with

source as (

    select * from {{ source('enrich', 'article_features') }}

),

final as (

    select
        article_id,
        cast(tone as double) as tone,
        lower(tone_label) as tone_label,
        cast(sentence_count as bigint) as sentence_count,
        cast(word_count as bigint) as word_count

    from source

)

select * from final
