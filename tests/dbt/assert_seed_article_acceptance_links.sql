{#
    The acceptance case for commentary linking (shared/seed/README.md): the seed article of
    2018-07-26 must link to the Section 232 steel and aluminum tariffs (in force), the Ulchi
    Freedom Guardian 2018 exercise (mentioned, suspended), the EU-Japan EPA (mentioned) and the
    TPP withdrawal or the CPTPP (mentioned); and must not link to Keen Sword 17 or 19, Ulchi
    Freedom Guardian 2017, the 2025 steel tariff or the 2020 US-Japan Trade Agreement.

    Returns one row per broken expectation. When the seed article is not loaded (e.g. a live
    config without the sample feed) there is nothing to check and the test passes.
#}

-- attach the check to article_links in Dagster (the test reads two models)
{{ config(meta={"dagster": {"ref": {"name": "article_links"}}}) }}

with

seed_articles as (

    select article_id
    from {{ ref('stg_raw__articles') }}
    where published_on = date '2018-07-26'
        and title ilike 'U.S.-Japan Relations in the Coming Year%'

),

links as (

    select * from {{ ref('article_links') }}

),

expected as (

    select * from (values
        ('SEC232_STEEL_2018', 'in_force', 'present'),
        ('SEC232_ALUMINUM_2018', 'in_force', 'present'),
        ('UFG_2018', 'mentioned', 'present'),
        ('JPN_EU_EPA_2019', 'mentioned', 'present'),
        ('KS_17', null, 'absent'),
        ('KS_19', null, 'absent'),
        ('UFG_2017', null, 'absent'),
        ('SEC232_STEEL_2025', null, 'absent'),
        ('USJTA_2020', null, 'absent')
    ) as t (entity_id, reason, expectation)

),

checks as (

    select
        seed_articles.article_id,
        expected.entity_id,
        expected.reason,
        expected.expectation,
        count(links.entity_id) as matching_links

    from seed_articles
    cross join expected
    left join links
        on links.article_id = seed_articles.article_id
        and links.entity_id = expected.entity_id
        and (expected.reason is null or links.reason = expected.reason)
    group by all

),

tpp_check as (

    select
        seed_articles.article_id,
        'CPTPP_2018 or US_TPP_WITHDRAWAL_2017' as entity_id,
        'mentioned' as reason,
        'present' as expectation,
        count(links.entity_id) as matching_links

    from seed_articles
    left join links
        on links.article_id = seed_articles.article_id
        and links.entity_id in ('CPTPP_2018', 'US_TPP_WITHDRAWAL_2017')
        and links.reason = 'mentioned'
    group by all

),

final as (

    select * from checks
    union all
    select * from tpp_check

)

select * from final
where (expectation = 'present' and matching_links = 0)
    or (expectation = 'absent' and matching_links > 0)
