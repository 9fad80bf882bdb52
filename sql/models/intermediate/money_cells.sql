-- The money of live actions per campaign, plan axis and year, by sector
-- (by_sector) and over all sectors: gross, counted once per shared project
-- (deduplicated), the partners behind it, and the disclosure plan's reasons to
-- withhold a pooled confidential cell (core.pooled_investment_lines).
SELECT
    campaign_id,
    plan_axis,
    sector,
    year,
    GROUPING(sector) = 0 AS by_sector,
    SUM(amount_eur) AS gross,
    COALESCE(SUM(amount_eur) FILTER (WHERE investment_counted), 0) AS deduplicated,
    COUNT(DISTINCT partner_id) AS partner_count,
    MIN(gross_reason) AS gross_reason,
    MIN(deduplicated_reason) AS deduplicated_reason
FROM {{ ref("pooled_investment_lines") }}
GROUP BY GROUPING SETS ((campaign_id, plan_axis, sector, year), (campaign_id, plan_axis, year))
