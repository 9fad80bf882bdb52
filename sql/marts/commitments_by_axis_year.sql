-- One row per campaign, plan axis and year: the investment partners commit to
-- that year, and the tCO2e per year their actions declare avoided by then.
-- Abandoned actions count for nothing. An impact counts from its first year of
-- full effect onwards. Amounts are summed as declared (HT and TTC alike).
WITH live_actions AS (
    SELECT campaign_id, partner_id, action_ref, plan_axis
    FROM core.actions
    WHERE status <> 'abandonnee'
),

investment AS (
    SELECT
        a.campaign_id,
        a.plan_axis,
        i.year,
        SUM(i.amount_eur) AS committed_investment_eur,
        COUNT(DISTINCT a.partner_id) AS investing_partners
    FROM core.investments AS i
    INNER JOIN live_actions AS a
        ON
            i.campaign_id = a.campaign_id
            AND i.partner_id = a.partner_id
            AND i.action_ref = a.action_ref
    GROUP BY a.campaign_id, a.plan_axis, i.year
),

avoided AS (
    SELECT
        a.campaign_id,
        a.plan_axis,
        m.first_full_year,
        m.value AS tco2e_per_year
    FROM core.impacts AS m
    INNER JOIN live_actions AS a
        ON
            m.campaign_id = a.campaign_id
            AND m.partner_id = a.partner_id
            AND m.action_ref = a.action_ref
    WHERE m.indicator = 'ges_evites' AND m.unit = 'tCO2e/an'
),

axis_years AS (
    SELECT campaign_id, plan_axis, year FROM investment
    UNION
    SELECT campaign_id, plan_axis, first_full_year AS year FROM avoided
)

SELECT
    y.campaign_id,
    y.plan_axis,
    label.label_fr AS plan_axis_label,
    y.year,
    COALESCE(inv.committed_investment_eur, 0) AS committed_investment_eur,
    COALESCE(inv.investing_partners, 0) AS investing_partners,
    COALESCE(SUM(av.tco2e_per_year), 0) AS declared_tco2e_avoided_per_year
FROM axis_years AS y
LEFT JOIN investment AS inv
    ON
        y.campaign_id = inv.campaign_id
        AND y.plan_axis = inv.plan_axis
        AND y.year = inv.year
LEFT JOIN avoided AS av
    ON
        y.campaign_id = av.campaign_id
        AND y.plan_axis = av.plan_axis
        AND av.first_full_year <= y.year
LEFT JOIN ref.code_values AS label
    ON label.list_name = 'plan_axis' AND y.plan_axis = label.code
GROUP BY
    y.campaign_id,
    y.plan_axis,
    label.label_fr,
    y.year,
    inv.committed_investment_eur,
    inv.investing_partners
ORDER BY y.campaign_id, y.plan_axis, y.year
