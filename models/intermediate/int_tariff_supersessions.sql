{#
    Tariff actions replaced by a later action, for one partner or for all, as the curated data says
    it: the tables have no ended_on for these actions and none is invented here. A supersession
    takes effect on the later action's effective_on, and only when the curator's notes say so in
    one of three forms (each row keeps the phrase it rests on, and the URL of the row that says it):

    - raised_or_replaced_by: the earlier action's note says it was "raised ... by Proc. 10947" or
      "replaced for Japan by EO 14345"; the later action is the one whose legal_citation starts
      with that document.
    - in_lieu_of: the later action's note says it applies "in lieu of the EO 14257 duties on Japan";
      every action carried by that document is replaced, for that country.
    - replaced_by_named_action: the earlier action's note names the later action's id and the
      later action's title says it "replaced" something (JPN_STEEL_TRQ_2022); for the countries
      the later action affects.

    "for <country>" / "on <country>" names the country by any alias in seeds/country_codes.csv;
    without one the supersession holds for every partner (superseded_for = 'ALL').
#}

with

tariff_actions as (

    select
        *,
        {{ document_key('legal_citation') }} as document,
        coalesce(announced_on, effective_on) as timeline_start

    from {{ ref('stg_raw__tariff_actions') }}

),

country_names as (

    select distinct upper(iso3) as iso3, lower(alias) as alias from {{ ref('country_codes') }}
    union
    select distinct upper(iso3), lower(name) from {{ ref('country_codes') }}

),

earlier_note_phrases as (

    select
        action_id,
        source_url,
        unnest(regexp_extract_all(
            status_note,
            '(?i)\b(raised|replaced)\b[^.]*?\bby (Proc\.|Proclamation|EO|Executive Order) ?\d{3,6}\b'
        )) as phrase

    from tariff_actions

),

raised_or_replaced_by as (

    select
        earlier_note_phrases.action_id,
        later.action_id as superseded_by,
        regexp_extract(earlier_note_phrases.phrase, '\bfor ([A-Z][A-Za-z.]*(?: [A-Z][A-Za-z.]*)*)', 1) as country_name,
        'raised_or_replaced_by' as rule,
        earlier_note_phrases.phrase as basis,
        earlier_note_phrases.action_id as basis_action_id,
        earlier_note_phrases.source_url as basis_source_url

    from earlier_note_phrases
    inner join tariff_actions as later
        on later.document = {{ document_key("regexp_extract(earlier_note_phrases.phrase, '(Proc\\.|Proclamation|EO|Executive Order) ?\\d{3,6}\\b$', 0)") }}

),

later_note_phrases as (

    select
        action_id,
        source_url,
        unnest(regexp_extract_all(
            status_note,
            '(?i)\bin lieu of\b[^.;]*?(Proc\.|Proclamation|EO|Executive Order) ?\d{3,6}\b[^.;]*'
        )) as phrase

    from tariff_actions

),

in_lieu_of as (

    select
        earlier.action_id,
        later_note_phrases.action_id as superseded_by,
        regexp_extract(later_note_phrases.phrase, '\bon (?:products of )?([A-Z][A-Za-z.]*(?: [A-Z][A-Za-z.]*)*)', 1)
            as country_name,
        'in_lieu_of' as rule,
        later_note_phrases.phrase as basis,
        later_note_phrases.action_id as basis_action_id,
        later_note_phrases.source_url as basis_source_url

    from later_note_phrases
    inner join tariff_actions as earlier
        on earlier.document = {{ document_key("regexp_extract(later_note_phrases.phrase, '(Proc\\.|Proclamation|EO|Executive Order) ?\\d{3,6}\\b', 0)") }}

),

replaced_by_named_action as (

    select
        earlier.action_id,
        later.action_id as superseded_by,
        cast(null as varchar) as country_name,
        'replaced_by_named_action' as rule,
        later.title as basis,
        later.action_id as basis_action_id,
        later.source_url as basis_source_url

    from tariff_actions as earlier
    inner join tariff_actions as later
        on contains(earlier.status_note, later.action_id)
        and regexp_matches(later.title, '(?i)\breplaced\b')

),

phrased as (

    select * from raised_or_replaced_by
    union all
    select * from in_lieu_of
    union all
    select * from replaced_by_named_action

),

scoped as (

    -- a named country maps to its code; without one, the rule holds for all partners, except
    -- that a named later action scopes it to the countries that action affects
    select
        phrased.*,
        unnest(case
            when phrased.country_name <> '' then [coalesce(country_names.iso3, upper(phrased.country_name))]
            when phrased.rule = 'replaced_by_named_action' and not list_contains(later.affected_codes, 'ALL')
                then later.affected_codes
            else ['ALL']
        end) as superseded_for

    from phrased
    inner join tariff_actions as later on later.action_id = phrased.superseded_by
    left join country_names on country_names.alias = lower(phrased.country_name)

),

final as (

    select
        scoped.action_id,
        scoped.superseded_by,
        scoped.superseded_for,
        later.effective_on as superseded_on,
        later.timeline_start as superseding_announced_on,
        scoped.rule,
        scoped.basis,
        scoped.basis_action_id,
        scoped.basis_source_url

    from scoped
    inner join tariff_actions as earlier on earlier.action_id = scoped.action_id
    inner join tariff_actions as later on later.action_id = scoped.superseded_by
    where earlier.action_id <> later.action_id
        and later.effective_on is not null
        and later.timeline_start >= earlier.timeline_start
    qualify row_number() over (
        partition by scoped.action_id, scoped.superseded_by, scoped.superseded_for
        order by scoped.rule
    ) = 1

)

select * from final
