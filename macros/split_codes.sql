{#
    A ';'-separated text column as a list of trimmed, non-empty varchar values.
    A null or empty input gives an empty list, never null, so list functions need no null checks.
#}
{% macro split_codes(column_name) -%}
    coalesce(
        list_filter(
            list_transform(string_split({{ column_name }}, ';'), lambda code: trim(code)),
            lambda code: code <> ''
        ),
        []::varchar[]
    )
{%- endmacro %}
