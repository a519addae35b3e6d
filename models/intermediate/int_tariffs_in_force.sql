{#
    Article x tariff action in force on the article's publication date, between the pair
    (vars alliance_a, alliance_b): announced and effective on or before that day, not yet ended,
    not yet replaced for the affected member of the pair by a later action that was announced and
    effective on or before that day (int_tariff_supersessions), and not an agreement (agreements
    and memoranda on them are not tariffs). Every date a record has takes part: an action
    announced after the article is never in force for it, even if its effective date is earlier.
#}

with

articles as (

    select * from {{ ref('stg_raw__articles') }}

),

tariff_actions as (

    select * from {{ ref('stg_raw__tariff_actions') }}

),

supersessions as (

    select * from {{ ref('int_tariff_supersessions') }}

),

pair_tariffs as (

    select
        *,
        case
            when list_contains(imposing_codes, '{{ var("alliance_a") }}') then '{{ var("alliance_a") }}'
            else '{{ var("alliance_b") }}'
        end as imposed_by,
        case
            when list_contains(imposing_codes, '{{ var("alliance_a") }}') then '{{ var("alliance_b") }}'
            else '{{ var("alliance_a") }}'
        end as affected_member

    from tariff_actions
    where not is_agreement
        and {{ action_between_pair('imposing_codes', 'affected_codes') }}

),

final as (

    select
        articles.article_id,
        articles.published_on,
        pair_tariffs.action_id,
        pair_tariffs.title,
        pair_tariffs.instrument,
        pair_tariffs.imposed_by,
        pair_tariffs.imposing_codes,
        pair_tariffs.affected_codes,
        pair_tariffs.rate_pct,
        pair_tariffs.announced_on,
        pair_tariffs.effective_on,
        pair_tariffs.ended_on,
        date_diff('day', pair_tariffs.effective_on, articles.published_on) as days_in_force,
        pair_tariffs.source_url,
        pair_tariffs.payload_sha256

    from articles
    inner join pair_tariffs
        on coalesce(pair_tariffs.announced_on, pair_tariffs.effective_on) <= articles.published_on
        and pair_tariffs.effective_on <= articles.published_on
        and (pair_tariffs.ended_on is null or pair_tariffs.ended_on > articles.published_on)
    where not exists (
        select 1
        from supersessions
        where supersessions.action_id = pair_tariffs.action_id
            and supersessions.superseded_for in ('ALL', pair_tariffs.affected_member)
            and supersessions.superseded_on <= articles.published_on
            and supersessions.superseding_announced_on <= articles.published_on
    )

)

select * from final
