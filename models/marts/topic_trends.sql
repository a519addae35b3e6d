{#
    Mentions per topic and month of publication: how much commentary talks about what, over time.
#}

with

mentions as (

    select * from {{ ref('stg_enrich__article_mentions') }}

),

articles as (

    select * from {{ ref('stg_raw__articles') }}

),

dated_mentions as (

    select
        cast(date_trunc('month', articles.published_on) as date) as month,
        mentions.topic,
        mentions.article_id

    from mentions
    inner join articles using (article_id)
    where mentions.topic is not null
        and articles.published_on is not null

),

final as (

    select
        month,
        topic,
        count(*) as mentions,
        count(distinct article_id) as articles,
        list_sort(list(distinct article_id)) as article_ids

    from dated_mentions
    group by month, topic

)

select * from final
