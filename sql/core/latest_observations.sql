-- For each indicator, plan axis ('' for the whole territory) and trajectory
-- year: the latest value the territory's inventory had observed by then
-- (ref.observed_inventory), in the base unit of its dimension.
WITH points AS (
    SELECT
        o.plan_axis,
        o.indicator,
        o.year,
        o.value * u.scale AS value
    FROM ref.observed_inventory AS o
    INNER JOIN ref.code_values AS u ON u.list_name = 'unit' AND o.unit = u.code
)

SELECT
    p.plan_axis,
    p.indicator,
    y.year,
    p.year AS observed_year,
    p.value AS observed_value
FROM core.trajectory_years AS y
INNER JOIN points AS p ON p.year <= y.year
WHERE NOT EXISTS (
    SELECT 1
    FROM points AS later
    WHERE
        later.plan_axis = p.plan_axis
        AND later.indicator = p.indicator
        AND later.year > p.year
        AND later.year <= y.year
)
