{#
    True when a tariff action is between the pair of the relationship (vars alliance_a, alliance_b):
    one side imposes it and the other side is affected by name or by `ALL`.
    Both arguments are varchar[] columns (see split_codes).
#}
{% macro action_between_pair(imposing_codes, affected_codes) -%}
    (
        (
            list_contains({{ imposing_codes }}, '{{ var("alliance_a") }}')
            and (list_contains({{ affected_codes }}, '{{ var("alliance_b") }}') or list_contains({{ affected_codes }}, 'ALL'))
        )
        or (
            list_contains({{ imposing_codes }}, '{{ var("alliance_b") }}')
            and (list_contains({{ affected_codes }}, '{{ var("alliance_a") }}') or list_contains({{ affected_codes }}, 'ALL'))
        )
    )
{%- endmacro %}

{#
    True when both members of the pair take part in an exercise. `participant_codes` is varchar[].
#}
{% macro exercise_involves_pair(participant_codes) -%}
    (
        list_contains({{ participant_codes }}, '{{ var("alliance_a") }}')
        and list_contains({{ participant_codes }}, '{{ var("alliance_b") }}')
    )
{%- endmacro %}
