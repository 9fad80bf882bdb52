-- What confidentiality costs, per campaign and measure: the pooled confidential
-- figures the marts hold (money per year, each impact per year, the status
-- funnel's pool, the jobs mart's pool) and how many of them the disclosure plan
-- withholds.
WITH pools AS (
    SELECT
        campaign_id,
        'investment_eur' AS measure,
        year
    FROM {{ ref("money_cells") }}
    WHERE plan_axis = '{{ var("confidential_pool") }}' AND NOT by_sector
    UNION ALL
    SELECT
        campaign_id,
        indicator AS measure,
        year
    FROM {{ ref("impact_cells") }}
    WHERE plan_axis = '{{ var("confidential_pool") }}'
    UNION ALL
    SELECT DISTINCT
        campaign_id,
        funnel.measure,
        CAST(NULL AS INTEGER) AS year
    FROM {{ ref("action_figures") }}
    CROSS JOIN (VALUES ('funnel_investment_eur'), ('funnel_tco2e')) AS funnel (measure)
    WHERE confidential
    UNION ALL
    SELECT DISTINCT
        campaign_id,
        measure,
        CAST(NULL AS INTEGER) AS year
    FROM {{ ref("job_lines") }}
    WHERE confidential AND is_live AND counted
)

SELECT
    p.campaign_id,
    p.measure,
    COUNT(*) AS pooled_figures,
    COUNT(w.gross_reason) AS gross_withheld,
    COUNT(w.deduplicated_reason) AS deduplicated_withheld
FROM pools AS p
LEFT JOIN {{ source("disclosure", "withheld_cells") }} AS w
    ON
        p.campaign_id = w.campaign_id
        AND p.measure = w.measure
        AND p.year IS NOT DISTINCT FROM w.year
GROUP BY p.campaign_id, p.measure
ORDER BY p.campaign_id, p.measure
