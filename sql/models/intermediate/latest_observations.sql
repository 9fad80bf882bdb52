-- For each indicator, plan axis ('' for the whole territory) and trajectory
-- year: the latest value the territory's inventory had observed by then
-- (staging.stg_observed_inventory), in the base unit of its dimension.
SELECT
    p.plan_axis,
    p.indicator,
    y.year,
    p.year AS observed_year,
    p.value AS observed_value
FROM {{ ref("trajectory_years") }} AS y
INNER JOIN {{ ref("stg_observed_inventory") }} AS p ON p.year <= y.year
WHERE NOT EXISTS (
    SELECT 1
    FROM {{ ref("stg_observed_inventory") }} AS later
    WHERE
        later.plan_axis = p.plan_axis
        AND later.indicator = p.indicator
        AND later.year > p.year
        AND later.year <= y.year
)
