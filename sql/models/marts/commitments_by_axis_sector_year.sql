-- One row per campaign, plan axis, PCAET sector and year: the money live actions
-- commit that year, as declared (gross) and counted once per shared project
-- (deduplicated: co-funders' amounts fund the lead's project). Amounts are before
-- tax (staging.stg_investments converts TTC). Confidential actions are pooled in the
-- 'confidentiel' row of the year, whose figures are withheld where publishing
-- them would expose a partner (suppressed_reason says why).
WITH cells AS (
    SELECT * FROM {{ ref("money_cells") }} WHERE by_sector
)

SELECT
    c.campaign_id,
    c.plan_axis,
    axis.label_fr AS plan_axis_label,
    c.sector,
    sector.label_fr AS sector_label,
    c.year,
    {{ published("c.gross", "c.gross_reason") }} AS investment_eur_gross,
    {{ published("c.deduplicated", "c.deduplicated_reason") }} AS investment_eur_deduplicated,
    c.partner_count,
    COALESCE(c.deduplicated_reason, c.gross_reason) AS suppressed_reason
FROM cells AS c
LEFT JOIN {{ ref("labels") }} AS axis ON axis.list_name = 'plan_axis' AND c.plan_axis = axis.code
LEFT JOIN {{ ref("labels") }} AS sector ON sector.list_name = 'sector' AND c.sector = sector.code
ORDER BY c.campaign_id, c.plan_axis, c.sector, c.year
