{#
    Each mention that points into a record table, resolved to the concrete records it means: one
    row per (mention, record), or one row with a null record when nothing fits.

    - agreement: record_match is the action_id itself; kept when the record existed on the
      publication date (an article cannot mention an agreement signed after it was written).
    - instrument: record_match is an instrument code (section_232, ...). Candidates are the actions
      with that instrument announced on or before the publication date (an action announced later
      is never what an article meant). A mention that names a document ("Proclamation 9705")
      resolves to the actions that document carries (by the first document of legal_citation),
      and to nothing if no record carries it. Otherwise each product group named both in the
      mention's sentences and in an action's title (steel, aluminum, automobiles, ...) picks its
      own action, so "Section 232 tariffs on steel and aluminum" resolves to both; with no
      product shared, one action is chosen. Among the candidates for a product (or overall): between the pair first, then in
      force on the publication date (int_tariffs_in_force, supersessions included), then the
      latest announced, then the one covering the fewest products.
    - exercise_series: record_match is a series name. Candidates are the exercises whose series
      list holds it; the one whose reference date is nearest the publication date wins.
    - anything else with a record_table: record_match is looked up as the record's own id.

    Mentions that resolve to nothing stay here with a null resolved_record_id and a note saying why,
    so that gaps in the reference data are visible.
#}

with

mentions as (

    select * from {{ ref('stg_enrich__article_mentions') }}
    where record_table is not null

),

articles as (

    select * from {{ ref('stg_raw__articles') }}

),

tariff_actions as (

    select * from {{ ref('stg_raw__tariff_actions') }}

),

exercises as (

    select * from {{ ref('stg_raw__exercises') }}

),

tariffs_in_force as (

    select * from {{ ref('int_tariffs_in_force') }}

),

product_words as (

    -- word groups that tie a mention's context to a tariff action's products
    select * from (values
        ('steel', '\bsteel\b'),
        ('aluminum', '\balumini?um\b'),
        ('automobiles', '\b(autos?|automobiles?|automotive|vehicles?|cars?)\b'),
        ('solar', '\b(solar|photovoltaic)\b'),
        ('washers', '\bwashers?\b')
    ) as t (product_group, pattern)

),

dated_mentions as (

    select
        mentions.*,
        articles.published_on,
        case
            when mentions.entity_type = 'agreement' then 'agreement'
            when mentions.entity_type = 'instrument' and mentions.record_table = 'tariff_actions' then 'instrument'
            when mentions.entity_type = 'exercise_series' and mentions.record_table = 'exercises' then 'exercise_series'
            else 'record_id'
        end as resolution_method,
        -- a legal document the matched text names ("Proclamation 9705" -> 'proc 9705')
        case
            when regexp_matches(mentions.matched_text, '(?i)\b(proclamation|proc\.)\s*\d{3,6}\b')
                then 'proc ' || regexp_extract(mentions.matched_text, '(\d{3,6})', 1)
            when regexp_matches(mentions.matched_text, '(?i)\b(executive order|eo)\s*\d{3,6}\b')
                then 'eo ' || regexp_extract(mentions.matched_text, '(\d{3,6})', 1)
        end as cited_document

    from mentions
    inner join articles using (article_id)

),

-- agreements and other direct references: record_match is the record's own id

direct_candidates as (

    select
        dated_mentions.article_id,
        dated_mentions.mention_id,
        tariff_actions.action_id as record_id,
        case when tariff_actions.is_agreement then 'agreement' else 'tariff_action' end as record_entity_type,
        coalesce(tariff_actions.announced_on, tariff_actions.effective_on) as record_date,
        tariff_actions.source_url,
        tariff_actions.payload_sha256

    from dated_mentions
    inner join tariff_actions
        on dated_mentions.record_table = 'tariff_actions'
        and tariff_actions.action_id = dated_mentions.record_match
    where dated_mentions.resolution_method in ('agreement', 'record_id')

    union all

    select
        dated_mentions.article_id,
        dated_mentions.mention_id,
        exercises.exercise_id as record_id,
        'exercise' as record_entity_type,
        exercises.reference_date as record_date,
        exercises.source_url,
        exercises.payload_sha256

    from dated_mentions
    inner join exercises
        on dated_mentions.record_table = 'exercises'
        and exercises.exercise_id = dated_mentions.record_match
    where dated_mentions.resolution_method = 'record_id'

),

direct_resolved as (

    -- tariff actions dated after the article are not what it mentions; exercises may be upcoming
    select
        dated_mentions.article_id,
        dated_mentions.mention_id,
        case
            when direct_candidates.record_id is null then null
            when direct_candidates.record_entity_type <> 'exercise'
                and direct_candidates.record_date > dated_mentions.published_on then null
            else direct_candidates.record_id
        end as resolved_record_id,
        direct_candidates.record_entity_type as resolved_entity_type,
        case
            when direct_candidates.record_id is null then 0.0
            when direct_candidates.record_entity_type <> 'exercise'
                and direct_candidates.record_date > dated_mentions.published_on then 0.0
            when direct_candidates.record_date is null then 0.7
            else 0.95
        end as confidence,
        case
            when direct_candidates.record_id is null
                then 'no ' || dated_mentions.record_table || ' record with id ' || coalesce(dated_mentions.record_match, 'null')
            when direct_candidates.record_entity_type <> 'exercise'
                and direct_candidates.record_date > dated_mentions.published_on
                then direct_candidates.record_id || ' is dated ' || direct_candidates.record_date
                    || ', after the article: not linked'
            when direct_candidates.record_date is null
                then 'direct reference to ' || direct_candidates.record_id || ' (record has no date)'
            else 'direct reference to ' || direct_candidates.record_id || ' (dated ' || direct_candidates.record_date || ')'
        end as resolution_note,
        1 as candidate_count,
        direct_candidates.source_url as record_source_url,
        direct_candidates.payload_sha256 as record_payload_sha256

    from dated_mentions
    left join direct_candidates
        on dated_mentions.article_id = direct_candidates.article_id
        and dated_mentions.mention_id = direct_candidates.mention_id
    where dated_mentions.resolution_method in ('agreement', 'record_id')

),

-- instruments: the actions of that instrument the mention means. Only actions announced on or
-- before the publication date are candidates. A mention that names a document ("Proclamation
-- 9705", "EO 14257") means the actions that document carries, and nothing else; one whose
-- sentences name products means one action per product named (so "steel and aluminum tariffs"
-- links both); otherwise the single most likely action.

instrument_candidates as (

    select
        dated_mentions.article_id,
        dated_mentions.mention_id,
        dated_mentions.cited_document,
        tariff_actions.action_id,
        tariff_actions.is_agreement,
        tariff_actions.source_url,
        tariff_actions.payload_sha256,
        coalesce(tariff_actions.announced_on, tariff_actions.effective_on) as announced_date,
        {{ action_between_pair('tariff_actions.imposing_codes', 'tariff_actions.affected_codes') }} as affects_pair,
        -- the same as-of rule as the in_force links, supersessions included
        exists (
            select 1 from tariffs_in_force
            where tariffs_in_force.article_id = dated_mentions.article_id
                and tariffs_in_force.action_id = tariff_actions.action_id
        ) as is_in_force,
        coalesce({{ document_key('tariff_actions.legal_citation') }} = dated_mentions.cited_document, false)
            as cites_document,
        lower(coalesce(dated_mentions.context, '') || ' ' || coalesce(dated_mentions.matched_text, '')) as mention_text,
        -- the title only: product scopes also list what an action excludes
        lower(coalesce(tariff_actions.title, '')) as action_text

    from dated_mentions
    inner join tariff_actions
        on tariff_actions.instrument = lower(dated_mentions.record_match)
        and coalesce(tariff_actions.announced_on, tariff_actions.effective_on) <= dated_mentions.published_on
    where dated_mentions.resolution_method = 'instrument'

),

instrument_products as (

    -- the product groups each candidate shares with its mention's sentences
    select
        instrument_candidates.*,
        count(*) over (partition by article_id, mention_id) as candidate_count,
        coalesce((
            select list_sort(list(product_words.product_group))
            from product_words
            where regexp_matches(instrument_candidates.mention_text, product_words.pattern)
                and regexp_matches(instrument_candidates.action_text, product_words.pattern)
        ), []::varchar[]) as shared_products,
        (
            select count(*)
            from product_words
            where regexp_matches(instrument_candidates.action_text, product_words.pattern)
        ) as action_product_count

    from instrument_candidates

),

by_document as (

    select *, cast(null as varchar) as product_group
    from instrument_products
    where cites_document

),

by_product as (

    select * from (
        select *, unnest(shared_products) as product_group
        from instrument_products
        where cited_document is null
    )
    qualify row_number() over (
        partition by article_id, mention_id, product_group
        order by affects_pair desc, is_in_force desc, announced_date desc, action_product_count asc, action_id
    ) = 1

),

by_date as (

    select *, cast(null as varchar) as product_group
    from instrument_products
    where cited_document is null
    qualify max(len(shared_products)) over (partition by article_id, mention_id) = 0
        and row_number() over (
            partition by article_id, mention_id
            order by affects_pair desc, is_in_force desc, announced_date desc, action_product_count asc, action_id
        ) = 1

),

instrument_ranked as (

    select
        article_id,
        mention_id,
        action_id,
        any_value(is_agreement) as is_agreement,
        any_value(source_url) as source_url,
        any_value(payload_sha256) as payload_sha256,
        any_value(announced_date) as announced_date,
        any_value(is_in_force) as is_in_force,
        any_value(cites_document) as cites_document,
        any_value(candidate_count) as candidate_count,
        list_sort(list(product_group) filter (where product_group is not null)) as chosen_products

    from (
        select * from by_document
        union all
        select * from by_product
        union all
        select * from by_date
    )
    group by article_id, mention_id, action_id

),

instrument_resolved as (

    select
        dated_mentions.article_id,
        dated_mentions.mention_id,
        instrument_ranked.action_id as resolved_record_id,
        case when instrument_ranked.is_agreement then 'agreement' else 'tariff_action' end as resolved_entity_type,
        case
            when instrument_ranked.action_id is null then 0.0
            when instrument_ranked.cites_document then 0.95
            when len(instrument_ranked.chosen_products) > 0 then 0.8
            when instrument_ranked.candidate_count = 1 then 0.6
            else 0.4
        end as confidence,
        case
            when instrument_ranked.action_id is null and dated_mentions.cited_document is not null
                then 'names ' || dated_mentions.cited_document || ', which no ' || coalesce(dated_mentions.record_match, 'null')
                    || ' action announced by ' || dated_mentions.published_on || ' carries'
            when instrument_ranked.action_id is null
                then 'no ' || coalesce(dated_mentions.record_match, 'null') || ' action announced by ' || dated_mentions.published_on
            else coalesce(dated_mentions.record_match, '') || ' -> ' || instrument_ranked.action_id
                || case
                    when instrument_ranked.cites_document
                        then ': the text names its document (' || dated_mentions.matched_text || ')'
                    when len(instrument_ranked.chosen_products) > 0
                        then ': products named in the text (' || array_to_string(instrument_ranked.chosen_products, ', ') || ')'
                    else ': no product named in the text'
                end
                || case when instrument_ranked.is_in_force then ', in force' else ', not in force' end
                || ', announced ' || instrument_ranked.announced_date
                || ' (' || instrument_ranked.candidate_count || ' candidates)'
        end as resolution_note,
        coalesce(instrument_ranked.candidate_count, 0) as candidate_count,
        instrument_ranked.source_url as record_source_url,
        instrument_ranked.payload_sha256 as record_payload_sha256

    from dated_mentions
    left join instrument_ranked
        on dated_mentions.article_id = instrument_ranked.article_id
        and dated_mentions.mention_id = instrument_ranked.mention_id
    where dated_mentions.resolution_method = 'instrument'

),

-- exercise series: the exercise of that series nearest the publication date

series_candidates as (

    select
        dated_mentions.article_id,
        dated_mentions.mention_id,
        exercises.exercise_id,
        exercises.reference_date,
        exercises.source_url,
        exercises.payload_sha256,
        abs(date_diff('day', exercises.reference_date, dated_mentions.published_on)) as days_apart,
        count(*) over (partition by dated_mentions.article_id, dated_mentions.mention_id) as candidate_count,
        row_number() over (
            partition by dated_mentions.article_id, dated_mentions.mention_id
            order by
                abs(date_diff('day', exercises.reference_date, dated_mentions.published_on)) asc nulls last,
                exercises.reference_date desc nulls last,
                exercises.exercise_id
        ) as candidate_rank

    from dated_mentions
    inner join exercises
        on list_contains(
            list_transform(exercises.series_list, lambda series_name: lower(series_name)),
            lower(trim(dated_mentions.record_match))
        )
    where dated_mentions.resolution_method = 'exercise_series'

),

series_resolved as (

    select
        dated_mentions.article_id,
        dated_mentions.mention_id,
        series_candidates.exercise_id as resolved_record_id,
        'exercise' as resolved_entity_type,
        case
            when series_candidates.exercise_id is null then 0.0
            when series_candidates.days_apart is null then 0.3
            when series_candidates.days_apart <= {{ var('exercise_window_days') }} then 0.9
            when series_candidates.days_apart <= 365 then 0.7
            else 0.4
        end as confidence,
        case
            when series_candidates.exercise_id is null
                then 'no exercise of the series ' || coalesce(dated_mentions.record_match, 'null')
            when series_candidates.days_apart is null
                then dated_mentions.record_match || ' -> ' || series_candidates.exercise_id || ': record has no date'
                    || ' (' || series_candidates.candidate_count || ' candidates)'
            else dated_mentions.record_match || ' -> ' || series_candidates.exercise_id
                || ': dated ' || series_candidates.reference_date
                || ', ' || series_candidates.days_apart || ' days from the article'
                || ' (' || series_candidates.candidate_count || ' candidates)'
        end as resolution_note,
        coalesce(series_candidates.candidate_count, 0) as candidate_count,
        series_candidates.source_url as record_source_url,
        series_candidates.payload_sha256 as record_payload_sha256

    from dated_mentions
    left join series_candidates
        on dated_mentions.article_id = series_candidates.article_id
        and dated_mentions.mention_id = series_candidates.mention_id
        and series_candidates.candidate_rank = 1
    where dated_mentions.resolution_method = 'exercise_series'

),

resolutions as (

    select * from direct_resolved
    union all
    select * from instrument_resolved
    union all
    select * from series_resolved

),

final as (

    select
        dated_mentions.article_id,
        dated_mentions.mention_id,
        dated_mentions.published_on,
        dated_mentions.entity_type,
        dated_mentions.entity_key,
        dated_mentions.topic,
        dated_mentions.alias,
        dated_mentions.matched_text,
        dated_mentions.start_char,
        dated_mentions.context,
        dated_mentions.tone,
        dated_mentions.record_table,
        dated_mentions.record_match,
        dated_mentions.resolution_method,
        resolutions.resolved_record_id,
        case when resolutions.resolved_record_id is not null then resolutions.resolved_entity_type end
            as resolved_entity_type,
        resolutions.resolved_record_id is not null as is_resolved,
        cast(resolutions.confidence as double) as confidence,
        resolutions.resolution_note,
        resolutions.candidate_count,
        case when resolutions.resolved_record_id is not null then resolutions.record_source_url end
            as record_source_url,
        case when resolutions.resolved_record_id is not null then resolutions.record_payload_sha256 end
            as record_payload_sha256

    from dated_mentions
    inner join resolutions
        on dated_mentions.article_id = resolutions.article_id
        and dated_mentions.mention_id = resolutions.mention_id

)

select * from final
