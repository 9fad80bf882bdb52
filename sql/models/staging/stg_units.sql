-- Every unit of the code lists with its scale to the base unit of its dimension
-- (tCO2e, ha, trees, km, MWh...): a quantity in a unit times its scale is in the
-- base unit. The one place quantities are converted.
SELECT
    code AS unit,
    dimension,
    scale
FROM {{ source("ref", "code_values") }}
WHERE list_name = 'unit'
