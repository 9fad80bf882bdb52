-- The investments of live actions as the commitments marts group them: a
-- confidential action's amounts are never in the cell of its axis, sector,
-- nature or funding source
-- but in the pooled 'confidentiel' one, with the disclosure plan's reasons to
-- withhold that pool's figures for the year (withheld_cells).
SELECT
    l.campaign_id,
    l.partner_id,
    {{ pooled("l.plan_axis", "l.confidential") }} AS plan_axis,
    {{ pooled("l.sector", "l.confidential") }} AS sector,
    {{ pooled("l.nature", "l.confidential") }} AS nature,
    {{ pooled("l.funding_source", "l.confidential") }} AS funding_source,
    l.year,
    l.investment_counted,
    l.amount_eur,
    w.gross_reason,
    w.deduplicated_reason
FROM {{ ref("investment_lines") }} AS l
LEFT JOIN {{ source("disclosure", "withheld_cells") }} AS w
    ON
        l.confidential
        AND l.campaign_id = w.campaign_id
        AND w.measure = 'investment_eur'
        AND l.year IS NOT DISTINCT FROM w.year
WHERE l.is_live
