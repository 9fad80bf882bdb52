-- One row per campaign and action status (planned, committed, in progress, done,
-- abandoned): how many actions, by how many partners, with how much money and
-- carbon, counted once per shared project. Confidential actions are pooled in
-- the 'confidentiel' row, whatever their status; its figures are withheld where
-- publishing them would expose a partner (intermediate.withheld_cells).
WITH cells AS (
    SELECT
        campaign_id,
        {{ pooled("status") }} AS status,
        COUNT(*) AS action_count,
        COUNT(DISTINCT partner_id) AS partner_count,
        COALESCE(SUM(investment_eur) FILTER (WHERE investment_counted), 0)
            AS investment_eur_deduplicated,
        COALESCE(SUM(retained_tco2e_per_year) FILTER (WHERE impacts_counted), 0)
            AS tco2e_per_year_deduplicated
    FROM {{ ref("action_figures") }}
    GROUP BY campaign_id, {{ pooled("status") }}
)

SELECT
    c.campaign_id,
    c.status,
    label.label_fr AS status_label,
    c.action_count,
    c.partner_count,
    {{ published("c.investment_eur_deduplicated", "money.deduplicated_reason") }}
        AS investment_eur_deduplicated,
    {{ published("c.tco2e_per_year_deduplicated", "carbon.deduplicated_reason") }}
        AS tco2e_per_year_deduplicated,
    COALESCE(money.deduplicated_reason, carbon.deduplicated_reason) AS suppressed_reason
FROM cells AS c
LEFT JOIN {{ source("disclosure", "withheld_cells") }} AS money
    ON
        c.status = '{{ var("confidential_pool") }}'
        AND c.campaign_id = money.campaign_id
        AND money.measure = 'funnel_investment_eur'
LEFT JOIN {{ source("disclosure", "withheld_cells") }} AS carbon
    ON
        c.status = '{{ var("confidential_pool") }}'
        AND c.campaign_id = carbon.campaign_id
        AND carbon.measure = 'funnel_tco2e'
LEFT JOIN {{ ref("labels") }} AS label ON label.list_name = 'status' AND c.status = label.code
ORDER BY c.campaign_id, c.status
