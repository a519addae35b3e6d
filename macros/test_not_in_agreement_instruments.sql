{#
    Generic test: the column holds no agreement instrument (trade_agreement, presidential_memorandum).
    Agreements are never tariffs in force.
#}
{% test not_in_agreement_instruments(model, column_name) %}

select *
from {{ model }}
where {{ column_name }} in ('trade_agreement', 'presidential_memorandum')

{% endtest %}
