-- How maturity moves: one row per campaign, theme and college of partner (and per
-- campaign and theme for all colleges together) whose partners answered the same
-- theme in this campaign and in the previous one with answers. Both means are
-- over those same partners, so that they compare like with like: a partner who
-- answered one campaign only is in neither. Each mean is withheld as in
-- maturity_by_theme, together with everything else published (the change is
-- published only when both are): the means of all partners minus those of the
-- paired ones must not tell a partner who answered once.
WITH pairs AS (
    SELECT
        now.campaign_id,
        now.previous_campaign_id,
        now.theme,
        now.college,
        now.level AS current_level,
        earlier.level AS previous_level
    FROM {{ ref("maturity_lines") }} AS now
    INNER JOIN {{ ref("maturity_lines") }} AS earlier
        ON
            now.previous_campaign_id = earlier.campaign_id
            AND now.partner_id = earlier.partner_id
            AND now.theme = earlier.theme
),

cells AS (
    SELECT
        campaign_id,
        previous_campaign_id,
        theme,
        college,
        COUNT(*) AS paired_partner_count,
        SUM(previous_level) AS previous_sum,
        SUM(current_level) AS current_sum
    FROM pairs
    GROUP BY campaign_id, previous_campaign_id, theme, college
    UNION ALL
    SELECT
        campaign_id,
        previous_campaign_id,
        theme,
        '{{ var("all_colleges") }}' AS college,
        COUNT(*) AS paired_partner_count,
        SUM(previous_level) AS previous_sum,
        SUM(current_level) AS current_sum
    FROM pairs
    GROUP BY campaign_id, previous_campaign_id, theme
),

withheld AS (
    SELECT
        campaign_id,
        cell,
        deduplicated_reason
    FROM {{ source("disclosure", "withheld_cells") }}
    WHERE measure = 'maturity_level'
),

means AS (
    SELECT
        c.campaign_id,
        c.previous_campaign_id,
        c.theme,
        c.college,
        c.paired_partner_count,
        {{ published(
            "CAST(c.previous_sum AS DOUBLE PRECISION) / c.paired_partner_count",
            "earlier.deduplicated_reason",
        ) }} AS previous_mean_level,
        {{ published(
            "CAST(c.current_sum AS DOUBLE PRECISION) / c.paired_partner_count",
            "now.deduplicated_reason",
        ) }} AS current_mean_level,
        COALESCE(earlier.deduplicated_reason, now.deduplicated_reason) AS suppressed_reason
    FROM cells AS c
    LEFT JOIN withheld AS earlier
        ON
            c.previous_campaign_id = earlier.campaign_id
            AND earlier.cell = {{ maturity_cell(
                "c.theme", "c.college", "next_campaign_id", "c.campaign_id"
            ) }}
    LEFT JOIN withheld AS now
        ON
            c.campaign_id = now.campaign_id
            AND now.cell = {{ maturity_cell(
                "c.theme", "c.college", "previous_campaign_id", "c.previous_campaign_id"
            ) }}
)

SELECT
    m.campaign_id,
    m.previous_campaign_id,
    m.theme,
    theme.label_fr AS theme_label,
    m.college,
    m.paired_partner_count,
    m.previous_mean_level,
    m.current_mean_level,
    m.current_mean_level - m.previous_mean_level AS change_in_mean_level,
    m.suppressed_reason
FROM means AS m
LEFT JOIN {{ source("ref", "code_values") }} AS theme
    ON theme.list_name = 'maturity_theme' AND m.theme = theme.code
ORDER BY m.campaign_id, m.theme, m.college
