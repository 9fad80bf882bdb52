{#- The rules the models share, written once. -#}

{#- What a confidential action is grouped under: never the cell of its axis,
    sector or status, but the pooled one (var "confidential_pool"). -#}
{% macro pooled(column, confidential="confidential") -%}
    CASE WHEN {{ confidential }} THEN '{{ var("confidential_pool") }}' ELSE {{ column }} END
{%- endmacro %}

{#- A figure as published: null where the disclosure plan gives a reason to
    withhold it (intermediate.withheld_cells). -#}
{% macro published(figure, withheld_reason) -%}
    CASE WHEN {{ withheld_reason }} IS NULL THEN {{ figure }} END
{%- endmacro %}

{#- The plan axis a reference row (target, inventory point) is given for: the
    total over axes is the whole territory's, written '' in the reference files. -#}
{% macro reference_axis(plan_axis) -%}
    CASE WHEN {{ plan_axis }} = '{{ var("all_axes") }}' THEN '' ELSE {{ plan_axis }} END
{%- endmacro %}

{#- The day the build (or a follow-up) is as of (var "as_of", ISO date): what it
    says about "today". -#}
{% macro as_of() -%}
    CAST('{{ var("as_of") }}' AS DATE)
{%- endmacro %}

{#- Which maturity figure a row of withheld_cells is about (its "cell"): the theme,
    the college unless the row adds the colleges up, and, for the change between
    campaigns, the campaign the answers are paired with. Written as the disclosure
    plan writes it (disclosure.plan.PoolCell.cell). -#}
{% macro maturity_cell(theme, college, pairing=none, paired_with=none) -%}
    'theme=' || {{ theme }}
    || CASE
        WHEN {{ college }} = '{{ var("all_colleges") }}' THEN ''
        ELSE ';college=' || {{ college }}
    END
    {%- if pairing %} || ';{{ pairing }}=' || {{ paired_with }}{% endif %}
{%- endmacro %}

{#- A trajectory's value in ``year`` on the straight line of its segment (columns
    from_year, from_value, to_year, to_value of ``segment``): value(y) = v0 + (v1 - v0)
    * (y - y0) / (y1 - y0); the last point's value once past it. -#}
{% macro trajectory_value(segment, year) -%}
    CASE
        WHEN {{ segment }}.to_year IS NULL THEN {{ segment }}.from_value
        ELSE {{ segment }}.from_value
            + ({{ segment }}.to_value - {{ segment }}.from_value)
            * CAST({{ year }} - {{ segment }}.from_year AS DOUBLE PRECISION)
            / ({{ segment }}.to_year - {{ segment }}.from_year)
    END
{%- endmacro %}
