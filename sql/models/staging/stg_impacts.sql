-- Every impact row as loaded, with its quantity in the base unit of its
-- indicator's dimension (tCO2e/yr for ges_evites, ha, trees, km).
SELECT
    m.*,
    m.value * u.scale AS quantity
FROM {{ source("core", "impacts") }} AS m
INNER JOIN {{ ref("stg_units") }} AS u ON m.unit = u.unit
