{#- A model's schema is its layer's, prefixed by the build's (var "schema_prefix",
    e.g. "build_"): a build writes beside the live tables, never over them. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ var("schema_prefix", "") }}{{ custom_schema_name | trim }}
{%- endmacro %}
