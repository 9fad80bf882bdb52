-- One row per campaign, theme and college of partner whose partners assessed
-- themselves (the contract's optional self-assessment part), plus one row per
-- campaign and theme for all colleges together: how many partners answered, and
-- their mean maturity level. Every answer is confidential: a mean is withheld
-- (intermediate.withheld_cells) when fewer than min_partners partners make it,
-- or when it would let anyone, or one of its partners, pin down an answer (a
-- mean at the top of the scale tells every answer behind it).
WITH cells AS (
    SELECT
        campaign_id,
        theme,
        college,
        COUNT(*) AS partner_count,
        SUM(level) AS level_sum
    FROM {{ ref("maturity_lines") }}
    GROUP BY campaign_id, theme, college
    UNION ALL
    SELECT
        campaign_id,
        theme,
        '{{ var("all_colleges") }}' AS college,
        COUNT(*) AS partner_count,
        SUM(level) AS level_sum
    FROM {{ ref("maturity_lines") }}
    GROUP BY campaign_id, theme
),

withheld AS (
    SELECT
        campaign_id,
        cell,
        deduplicated_reason
    FROM {{ source("disclosure", "withheld_cells") }}
    WHERE measure = 'maturity_level'
)

SELECT
    c.campaign_id,
    c.theme,
    theme.label_fr AS theme_label,
    c.college,
    c.partner_count,
    {{ published("CAST(c.level_sum AS DOUBLE PRECISION) / c.partner_count", "w.deduplicated_reason") }}
        AS mean_level,
    w.deduplicated_reason AS suppressed_reason
FROM cells AS c
LEFT JOIN withheld AS w
    ON
        c.campaign_id = w.campaign_id
        AND w.cell = {{ maturity_cell("c.theme", "c.college") }}
LEFT JOIN {{ source("ref", "code_values") }} AS theme
    ON theme.list_name = 'maturity_theme' AND c.theme = theme.code
ORDER BY c.campaign_id, c.theme, c.college
