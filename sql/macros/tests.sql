{#- Rows of ``model`` that share their ``columns`` with another: a mart's key
    identifies one row (dbt's own unique test takes one column only). -#}
{% test unique_key(model, columns) %}
SELECT {{ columns | join(", ") }}, COUNT(*) AS rows_with_this_key
FROM {{ model }}
GROUP BY {{ columns | join(", ") }}
HAVING COUNT(*) > 1
{% endtest %}
