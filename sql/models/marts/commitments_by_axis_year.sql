-- One row per campaign, plan axis and year with money or with carbon avoided:
-- the money live actions commit that year (gross and deduplicated, as in
-- commitments_by_axis_sector_year) and the tCO2e per year they avoid by then
-- (as in carbon_trajectory_vs_target, 2015-2060). A year without money keeps its
-- carbon (its money is 0). Confidential actions count only in the pooled
-- 'confidentiel' rows.
WITH money AS (
    SELECT * FROM {{ ref("money_cells") }} WHERE NOT by_sector
),

carbon AS (
    SELECT
        campaign_id,
        plan_axis,
        year,
        deduplicated,
        suppressed_reason
    FROM {{ ref("impact_cells") }}
    WHERE
        indicator = 'ges_evites'
        AND plan_axis <> '{{ var("all_axes") }}'
        AND (gross IS NULL OR gross <> 0 OR deduplicated IS NULL OR deduplicated <> 0)
)

SELECT
    COALESCE(m.campaign_id, c.campaign_id) AS campaign_id,
    COALESCE(m.plan_axis, c.plan_axis) AS plan_axis,
    axis.label_fr AS plan_axis_label,
    COALESCE(m.year, c.year) AS year,
    CASE WHEN m.campaign_id IS NULL THEN 0 ELSE {{ published("m.gross", "m.gross_reason") }} END
        AS investment_eur_gross,
    CASE
        WHEN m.campaign_id IS NULL THEN 0
        ELSE {{ published("m.deduplicated", "m.deduplicated_reason") }}
    END AS investment_eur_deduplicated,
    COALESCE(m.partner_count, 0) AS investing_partners,
    CASE WHEN c.campaign_id IS NULL THEN 0 ELSE c.deduplicated END
        AS avoided_tco2e_per_year_deduplicated,
    COALESCE(m.deduplicated_reason, m.gross_reason, c.suppressed_reason) AS suppressed_reason
FROM money AS m
FULL OUTER JOIN carbon AS c
    ON
        m.campaign_id = c.campaign_id
        AND m.plan_axis = c.plan_axis
        AND m.year = c.year
LEFT JOIN {{ ref("labels") }} AS axis
    ON axis.list_name = 'plan_axis' AND COALESCE(m.plan_axis, c.plan_axis) = axis.code
ORDER BY 1, 2, 4
