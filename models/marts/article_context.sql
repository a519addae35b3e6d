{#
    One row per article with its topics, tone, and the context of its day: tariff actions in force,
    exercises in the window and mentioned, what it names, and the latest trade figures that were
    public on the publication date. Lists are empty, never null.

    Written in publication order: DuckDB keeps a table's insertion order and a min/max of every
    column per row group, so a date-range query (the usual question) reads only the row groups of
    its dates instead of the whole table (benchmarks/p5_query.py).
#}

with

articles as (

    select * from {{ ref('stg_raw__articles') }}

),

features as (

    select * from {{ ref('stg_enrich__article_features') }}

),

mentions as (

    select * from {{ ref('stg_enrich__article_mentions') }}

),

links as (

    select * from {{ ref('article_links') }}

),

exercises as (

    select * from {{ ref('stg_raw__exercises') }}

),

trade_totals as (

    select * from {{ ref('int_trade_totals') }}

),

topics as (

    select
        article_id,
        list_sort(list(distinct topic)) as topics

    from mentions
    where topic is not null
    group by article_id

),

linked_ids as (

    select
        article_id,
        list_sort(list(entity_id) filter (where entity_type = 'tariff_action' and reason = 'in_force'))
            as tariff_actions_in_force,
        list_sort(list(entity_id) filter (where entity_type = 'tariff_action' and reason = 'mentioned'))
            as tariff_actions_mentioned,
        list_sort(list(entity_id) filter (where entity_type = 'agreement' and reason = 'mentioned'))
            as agreements_mentioned,
        list_sort(list(entity_id) filter (where entity_type = 'instrument' and reason = 'mentioned'))
            as instruments_mentioned,
        list_sort(list(entity_id) filter (where entity_type = 'country' and reason = 'mentioned'))
            as countries_mentioned,
        list_sort(list(entity_id) filter (where entity_type = 'person' and reason = 'mentioned'))
            as people_mentioned,
        list_sort(list(entity_id) filter (where entity_type = 'place' and reason = 'mentioned'))
            as places_mentioned,
        list_sort(list(entity_id) filter (where entity_type = 'organization' and reason = 'mentioned'))
            as organizations_mentioned,
        count(*) as link_count

    from links
    group by article_id

),

exercise_links as (

    -- each linked exercise with its status as recorded and as the article could have known it
    select
        links.article_id,
        links.reason,
        exercises.reference_date,
        exercises.exercise_id,
        {
            'exercise_id': exercises.exercise_id,
            'name': exercises.name,
            'status': exercises.status,
            'status_as_of': {{ exercise_status_as_of('exercises', 'links.published_on') }},
            'start_date': exercises.start_date,
            'end_date': exercises.end_date
        } as exercise

    from links
    inner join exercises on links.entity_id = exercises.exercise_id
    where links.entity_type = 'exercise'

),

linked_exercises as (

    select
        article_id,
        list(exercise order by reference_date, exercise_id) filter (where reason = 'in_window')
            as exercises_in_window,
        list(exercise order by reference_date, exercise_id) filter (where reason = 'mentioned')
            as exercises_mentioned

    from exercise_links
    group by article_id

),

latest_trade as (

    -- the most recent period whose figures were public on the publication date, month or year
    select
        articles.article_id,
        trade_totals.period,
        trade_totals.period_type,
        trade_totals.available_on,
        trade_totals.us_exports_usd,
        trade_totals.us_imports_usd,
        trade_totals.balance_usd,
        trade_totals.source_urls

    from articles
    inner join trade_totals on trade_totals.available_on <= articles.published_on
    qualify row_number() over (
        partition by articles.article_id
        order by trade_totals.period_end desc, trade_totals.period_start desc
    ) = 1

),

final as (

    select
        articles.article_id,
        articles.url,
        articles.title,
        articles.published_on,
        articles.source,
        articles.publisher,
        articles.author,
        articles.language,
        articles.payload_sha256,
        features.tone,
        features.tone_label,
        features.word_count,
        coalesce(topics.topics, []::varchar[]) as topics,
        coalesce(linked_ids.tariff_actions_in_force, []::varchar[]) as tariff_actions_in_force,
        coalesce(linked_ids.tariff_actions_mentioned, []::varchar[]) as tariff_actions_mentioned,
        coalesce(linked_ids.agreements_mentioned, []::varchar[]) as agreements_mentioned,
        coalesce(linked_ids.instruments_mentioned, []::varchar[]) as instruments_mentioned,
        coalesce(
            linked_exercises.exercises_in_window,
            []::struct(exercise_id varchar, name varchar, status varchar, status_as_of varchar, start_date date, end_date date)[]
        ) as exercises_in_window,
        coalesce(
            linked_exercises.exercises_mentioned,
            []::struct(exercise_id varchar, name varchar, status varchar, status_as_of varchar, start_date date, end_date date)[]
        ) as exercises_mentioned,
        coalesce(linked_ids.countries_mentioned, []::varchar[]) as countries_mentioned,
        coalesce(linked_ids.people_mentioned, []::varchar[]) as people_mentioned,
        coalesce(linked_ids.places_mentioned, []::varchar[]) as places_mentioned,
        coalesce(linked_ids.organizations_mentioned, []::varchar[]) as organizations_mentioned,
        latest_trade.period as latest_trade_period,
        latest_trade.period_type as latest_trade_period_type,
        latest_trade.available_on as latest_trade_available_on,
        latest_trade.us_exports_usd as latest_us_exports_usd,
        latest_trade.us_imports_usd as latest_us_imports_usd,
        latest_trade.balance_usd as latest_trade_balance_usd,
        coalesce(latest_trade.source_urls, []::varchar[]) as latest_trade_source_urls,
        coalesce(linked_ids.link_count, 0) as link_count

    from articles
    left join features using (article_id)
    left join topics using (article_id)
    left join linked_ids using (article_id)
    left join linked_exercises using (article_id)
    left join latest_trade using (article_id)

)

select * from final
order by published_on, article_id
