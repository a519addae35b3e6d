{#
    A legal document reference ("Proc. 10895", "Proclamation 9705", "EO 14257", "Executive Order
    14345") as a comparable key: 'proc 10895', 'eo 14257'. Null when the text does not start with one.
#}
{% macro document_key(text) -%}
    nullif(
        regexp_replace(
            regexp_replace(
                regexp_extract({{ text }}, '^(Proc\.|Proclamation|EO|Executive Order)\s*\d{3,6}\b', 0),
                '^(Proc\.|Proclamation)\s*', 'proc '
            ),
            '^(EO|Executive Order)\s*', 'eo '
        ),
        ''
    )
{%- endmacro %}
