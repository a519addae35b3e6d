{#
    Article x linked entity, one row per (article_id, entity_type, entity_id, reason).

    - mentioned: the article names the entity. Records (tariff actions, agreements, exercises) come
      resolved from int_mentions_resolved; dictionary entities (countries, people, places,
      organizations, instruments, agreements with no record) link by their key.
    - in_force: a tariff action between the pair was in force on the publication date.
    - in_window: an exercise of the pair was held within the window around the publication date.

    tone is the mean VADER score of the sentences around the entity's mentions (null for in_force
    and in_window links, and for text that is not English).
#}

with

mentions as (

    select * from {{ ref('stg_enrich__article_mentions') }}

),

resolved_mentions as (

    select * from {{ ref('int_mentions_resolved') }}

),

tariffs_in_force as (

    select * from {{ ref('int_tariffs_in_force') }}

),

exercises_in_window as (

    select * from {{ ref('int_exercises_in_window') }}

),

articles as (

    select * from {{ ref('stg_raw__articles') }}

),

mentioned_records as (

    select
        article_id,
        resolved_entity_type as entity_type,
        resolved_record_id as entity_id,
        'mentioned' as reason,
        max(confidence) as confidence,
        count(*) as mention_count,
        arg_min(matched_text, start_char) as matched_text,
        arg_min(record_table, start_char) as record_table,
        first(resolution_note order by confidence desc, start_char) as note,
        any_value(record_source_url) as record_source_url,
        any_value(record_payload_sha256) as record_payload_sha256,
        -- summed in text order: avg() adds in whatever order rows arrive, and floating point
        -- then differs in the last bits between two refreshes of the same inputs
        list_avg(list(tone order by start_char, mention_id)) as tone

    from resolved_mentions
    where is_resolved
    group by all

),

mentioned_entities as (

    -- entities with no record behind them link by their dictionary key; an instrument also
    -- links as itself next to the tariff action its mention resolved to
    select
        article_id,
        entity_type,
        entity_key as entity_id,
        'mentioned' as reason,
        1.0 as confidence,
        count(*) as mention_count,
        arg_min(matched_text, start_char) as matched_text,
        cast(null as varchar) as record_table,
        'named in the text ' || count(*) || case when count(*) = 1 then ' time' else ' times' end as note,
        cast(null as varchar) as record_source_url,
        cast(null as varchar) as record_payload_sha256,
        list_avg(list(tone order by start_char, mention_id)) as tone

    from mentions
    where entity_key is not null
        and (
            entity_type = 'instrument'
            or (record_table is null and entity_type in ('country', 'person', 'place', 'organization', 'agreement'))
        )
    group by all

),

in_force as (

    select
        article_id,
        'tariff_action' as entity_type,
        action_id as entity_id,
        'in_force' as reason,
        1.0 as confidence,
        0 as mention_count,
        cast(null as varchar) as matched_text,
        'tariff_actions' as record_table,
        'in force on ' || published_on || ': effective ' || effective_on
            || ', imposed by ' || imposed_by || ' on ' || array_to_string(affected_codes, ';') as note,
        source_url as record_source_url,
        payload_sha256 as record_payload_sha256,
        cast(null as double) as tone

    from tariffs_in_force

),

in_window as (

    select
        article_id,
        'exercise' as entity_type,
        exercise_id as entity_id,
        'in_window' as reason,
        1.0 as confidence,
        0 as mention_count,
        cast(null as varchar) as matched_text,
        'exercises' as record_table,
        status || ' ' || start_date || coalesce(' to ' || end_date, '')
            || case
                when days_from_article = 0 then ', running on the publication date'
                when days_from_article > 0 then ', starting ' || days_from_article || ' days after the article'
                else ', ended ' || -days_from_article || ' days before the article'
            end as note,
        source_url as record_source_url,
        payload_sha256 as record_payload_sha256,
        cast(null as double) as tone

    from exercises_in_window

),

links as (

    select * from mentioned_records
    union all
    select * from mentioned_entities
    union all
    select * from in_force
    union all
    select * from in_window

),

final as (

    select
        links.article_id,
        links.entity_type,
        links.entity_id,
        links.reason,
        cast(links.confidence as double) as confidence,
        cast(links.mention_count as bigint) as mention_count,
        links.matched_text,
        links.record_table,
        links.note,
        links.record_source_url,
        links.record_payload_sha256,
        -- VADER compound of the sentences around the mentions (mean over them), approximate
        links.tone,
        articles.published_on,
        articles.url as article_url,
        articles.payload_sha256 as article_payload_sha256

    from links
    inner join articles using (article_id)

)

select * from final
