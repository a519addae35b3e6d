{#
    Article x exercise of the pair (both vars alliance_a and alliance_b take part) held within
    var exercise_window_days of the publication date: the exercise's days
    [start_date, coalesce(end_date, start_date)] overlap [published_on - window, published_on + window].
    Exercises without a start date (suspended or cancelled before they began) have no days to
    overlap; an article can still link to them by mentioning them.
#}

with

articles as (

    select * from {{ ref('stg_raw__articles') }}

),

exercises as (

    select * from {{ ref('stg_raw__exercises') }}

),

pair_exercises as (

    select
        *,
        coalesce(end_date, start_date) as last_date

    from exercises
    where start_date is not null
        and {{ exercise_involves_pair('participant_codes') }}

),

final as (

    select
        articles.article_id,
        articles.published_on,
        pair_exercises.exercise_id,
        pair_exercises.name,
        pair_exercises.series,
        pair_exercises.status,
        pair_exercises.start_date,
        pair_exercises.end_date,
        -- signed distance in days from the article to the exercise: 0 while it runs,
        -- positive when it starts after the article, negative when it ended before
        case
            when articles.published_on < pair_exercises.start_date
                then date_diff('day', articles.published_on, pair_exercises.start_date)
            when articles.published_on > pair_exercises.last_date
                then -date_diff('day', pair_exercises.last_date, articles.published_on)
            else 0
        end as days_from_article,
        pair_exercises.source_url,
        pair_exercises.payload_sha256

    from articles
    inner join pair_exercises
        on pair_exercises.start_date <= articles.published_on + cast({{ var('exercise_window_days') }} as integer)
        and pair_exercises.last_date >= articles.published_on - cast({{ var('exercise_window_days') }} as integer)

)

select * from final
