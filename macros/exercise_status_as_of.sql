{#
    An exercise's status as an article written on `day` could have known it, from every date the
    record has. A suspension, cancellation, postponement or scaling-down announced after `day` was
    not yet known: 'planned'. One announced by then (or with no announcement date) stands. A held
    exercise that had not started is 'upcoming', one under way 'running', one over 'held'.
    `exercise` is the relation alias holding status, announced_on, start_date and end_date.
#}
{% macro exercise_status_as_of(exercise, day) -%}
    case
        when {{ exercise }}.status <> 'held' and {{ exercise }}.announced_on > {{ day }} then 'planned'
        when {{ exercise }}.status <> 'held' then {{ exercise }}.status
        when {{ exercise }}.start_date > {{ day }} then 'upcoming'
        when {{ exercise }}.start_date <= {{ day }}
            and coalesce({{ exercise }}.end_date, {{ exercise }}.start_date) >= {{ day }} then 'running'
        else {{ exercise }}.status
    end
{%- endmacro %}
