-- One row per campaign, nature of spending, funding source and year with money:
-- what live actions commit that year, gross and counted once per shared project
-- (deduplicated), as in commitments_by_axis_sector_year. Confidential actions
-- count only in the pooled 'confidentiel' row of the year (nature and source
-- both pooled): the same contributions as that year's pool by axis, so withheld
-- together with it.
SELECT
    l.campaign_id,
    l.nature,
    nature.label_fr AS nature_label,
    l.funding_source,
    source.label_fr AS funding_source_label,
    l.year,
    {{ published("SUM(l.amount_eur)", "MIN(l.gross_reason)") }} AS investment_eur_gross,
    {{
        published(
            "COALESCE(SUM(l.amount_eur) FILTER (WHERE l.investment_counted), 0)",
            "MIN(l.deduplicated_reason)",
        )
    }} AS investment_eur_deduplicated,
    COUNT(DISTINCT l.partner_id) AS partner_count,
    COALESCE(MIN(l.deduplicated_reason), MIN(l.gross_reason)) AS suppressed_reason
FROM {{ ref("pooled_investment_lines") }} AS l
LEFT JOIN {{ ref("labels") }} AS nature
    ON nature.list_name = 'nature' AND l.nature = nature.code
LEFT JOIN {{ ref("labels") }} AS source
    ON source.list_name = 'funding_source' AND l.funding_source = source.code
GROUP BY l.campaign_id, l.nature, nature.label_fr, l.funding_source, source.label_fr, l.year
ORDER BY 1, 2, 4, 6
