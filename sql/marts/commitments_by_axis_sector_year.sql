-- One row per campaign, plan axis, PCAET sector and year: the money live actions
-- commit that year, as declared (gross) and counted once per shared project
-- (deduplicated: co-funders' amounts fund the lead's project). Amounts are summed
-- as declared, HT and TTC alike. A cell that includes confidential data and rests
-- on too few partners shows no amount (suppressed_reason says why).
WITH cells AS (
    SELECT
        l.campaign_id,
        l.plan_axis,
        l.sector,
        l.year,
        SUM(l.amount_eur) AS gross,
        COALESCE(SUM(l.amount_eur) FILTER (WHERE l.investment_counted), 0) AS deduplicated,
        COUNT(DISTINCT l.partner_id) AS partner_count,
        BOOL_OR(l.confidential) AND COUNT(DISTINCT l.partner_id) < MIN(r.confidentiality_min_partners)
            AS suppressed
    FROM core.investment_lines AS l
    CROSS JOIN ref.publication_rules AS r
    GROUP BY l.campaign_id, l.plan_axis, l.sector, l.year
)

SELECT
    c.campaign_id,
    c.plan_axis,
    axis.label_fr AS plan_axis_label,
    c.sector,
    sector.label_fr AS sector_label,
    c.year,
    CASE WHEN NOT c.suppressed THEN c.gross END AS investment_eur_gross,
    CASE WHEN NOT c.suppressed THEN c.deduplicated END AS investment_eur_deduplicated,
    c.partner_count,
    CASE WHEN c.suppressed THEN 'confidential_below_partner_threshold' END AS suppressed_reason
FROM cells AS c
LEFT JOIN ref.code_values AS axis ON axis.list_name = 'plan_axis' AND c.plan_axis = axis.code
LEFT JOIN ref.code_values AS sector ON sector.list_name = 'sector' AND c.sector = sector.code
ORDER BY c.campaign_id, c.plan_axis, c.sector, c.year
