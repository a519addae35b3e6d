{#
    One row per exercise with its dates, status and participants, whether both members of the
    pair take part, and how often commentary mentions it or was written near it.
#}

with

exercises as (

    select * from {{ ref('stg_raw__exercises') }}

),

resolved_mentions as (

    select * from {{ ref('int_mentions_resolved') }}

),

exercises_in_window as (

    select * from {{ ref('int_exercises_in_window') }}

),

mention_counts as (

    select
        resolved_record_id as exercise_id,
        count(distinct article_id) as articles_mentioning

    from resolved_mentions
    where is_resolved and record_table = 'exercises'
    group by resolved_record_id

),

in_window_counts as (

    select
        exercise_id,
        count(distinct article_id) as articles_in_window

    from exercises_in_window
    group by exercise_id

),

final as (

    select
        exercises.exercise_id,
        exercises.name,
        exercises.series,
        exercises.series_list,
        exercises.participant_codes as participants,
        exercises.location,
        exercises.start_date,
        exercises.end_date,
        exercises.announced_on,
        exercises.reference_date,
        exercises.date_precision,
        exercises.status,
        year(exercises.reference_date) as year,
        date_diff('day', exercises.start_date, exercises.end_date) + 1 as duration_days,
        {{ exercise_involves_pair('exercises.participant_codes') }} as involves_pair,
        len(exercises.participant_codes) as participant_count,
        coalesce(mention_counts.articles_mentioning, 0) as articles_mentioning,
        coalesce(in_window_counts.articles_in_window, 0) as articles_in_window,
        exercises.note,
        exercises.source_url,
        exercises.source,
        exercises.payload_sha256

    from exercises
    left join mention_counts using (exercise_id)
    left join in_window_counts using (exercise_id)

)

select * from final
