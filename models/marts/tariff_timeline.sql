{#
    One row per tariff action or agreement with its dates, whether it is between the pair, when it
    stopped being in force between the pair (ended, or replaced by a later action as the curated
    notes say: int_tariff_supersessions), and how often commentary mentions it or was written
    while it was in force.
#}

with

tariff_actions as (

    select * from {{ ref('stg_raw__tariff_actions') }}

),

resolved_mentions as (

    select * from {{ ref('int_mentions_resolved') }}

),

tariffs_in_force as (

    select * from {{ ref('int_tariffs_in_force') }}

),

supersessions as (

    select * from {{ ref('int_tariff_supersessions') }}

),

pair_supersessions as (

    -- the first replacement that holds for the affected member of the pair (or for everyone)
    select
        tariff_actions.action_id,
        arg_min(supersessions.superseded_by, supersessions.superseded_on) as superseded_by,
        min(supersessions.superseded_on) as superseded_on

    from tariff_actions
    inner join supersessions
        on supersessions.action_id = tariff_actions.action_id
        and supersessions.superseded_for in (
            'ALL',
            case
                when list_contains(tariff_actions.imposing_codes, '{{ var("alliance_a") }}') then '{{ var("alliance_b") }}'
                else '{{ var("alliance_a") }}'
            end
        )
    group by tariff_actions.action_id

),

mention_counts as (

    select
        resolved_record_id as action_id,
        count(distinct article_id) as articles_mentioning

    from resolved_mentions
    where is_resolved and record_table = 'tariff_actions'
    group by resolved_record_id

),

in_force_counts as (

    select
        action_id,
        count(distinct article_id) as articles_in_force

    from tariffs_in_force
    group by action_id

),

final as (

    select
        tariff_actions.action_id,
        case when tariff_actions.is_agreement then 'agreement' else 'tariff_action' end as entity_type,
        tariff_actions.title,
        tariff_actions.instrument,
        tariff_actions.imposing_codes as imposing,
        tariff_actions.affected_codes as affected,
        tariff_actions.product_scope,
        tariff_actions.rate_pct,
        tariff_actions.announced_on,
        tariff_actions.effective_on,
        tariff_actions.ended_on,
        pair_supersessions.superseded_by,
        pair_supersessions.superseded_on,
        least(tariff_actions.ended_on, pair_supersessions.superseded_on) as in_force_end,
        coalesce(tariff_actions.announced_on, tariff_actions.effective_on) as timeline_start,
        tariff_actions.ended_on is null and pair_supersessions.superseded_on is null
            and tariff_actions.effective_on is not null as is_open_ended,
        date_diff('day', tariff_actions.effective_on, tariff_actions.ended_on) as duration_days,
        date_diff('day', tariff_actions.announced_on, tariff_actions.effective_on) as days_announced_to_effective,
        {{ action_between_pair('tariff_actions.imposing_codes', 'tariff_actions.affected_codes') }} as affects_partner,
        tariff_actions.is_agreement,
        coalesce(mention_counts.articles_mentioning, 0) as articles_mentioning,
        coalesce(in_force_counts.articles_in_force, 0) as articles_in_force,
        tariff_actions.legal_citation,
        tariff_actions.status_note,
        tariff_actions.source_url,
        tariff_actions.source,
        tariff_actions.payload_sha256

    from tariff_actions
    left join pair_supersessions using (action_id)
    left join mention_counts using (action_id)
    left join in_force_counts using (action_id)

)

select * from final
