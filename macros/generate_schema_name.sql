{#
    Use the configured schema name as is (`staging`, `intermediate`, `marts`, `seeds`) instead of
    dbt's default `<target schema>_<custom schema>`: the schema names are part of the warehouse
    contract that analysts and the Dagster asset keys rely on.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
