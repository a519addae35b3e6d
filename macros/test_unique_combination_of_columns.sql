{#
    Generic test: no two rows share the same values in all of `combination_of_columns`.
    (The same test as dbt_utils', kept here so the project needs no package download.)
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

with validation_errors as (

    select
        {{ combination_of_columns | join(', ') }},
        count(*) as n_rows
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1

)

select * from validation_errors

{% endtest %}
