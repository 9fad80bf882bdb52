-- The territory's observed inventory points (reference/observed_inventory.csv)
-- in the base unit of their dimension.
SELECT
    o.plan_axis,
    o.indicator,
    o.year,
    o.value * u.scale AS value
FROM {{ source("ref", "observed_inventory") }} AS o
INNER JOIN {{ ref("stg_units") }} AS u ON o.unit = u.unit
