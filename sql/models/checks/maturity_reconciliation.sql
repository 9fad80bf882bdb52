-- Every cell of the self-assessment marts against core.self_assessment, read from
-- core and the registry (not from maturity_lines: a fault there shows): answers
-- per campaign, theme and college (and all colleges), and the sum of their
-- levels, minus what the marts publish (a withheld mean agrees); for the change
-- between campaigns, the same over the partners who answered the theme in both
-- campaigns, and the published change minus the difference of the two means it
-- stands for (a change published beside a withheld mean would give it away).
WITH answers AS (
    SELECT
        a.campaign_id,
        a.partner_id,
        a.theme,
        COALESCE(p.college, '{{ var("not_given") }}') AS college,
        CAST(a.maturity_level AS INTEGER) AS level
    FROM {{ source("core", "self_assessment") }} AS a
    LEFT JOIN {{ source("ref", "partners") }} AS p ON a.partner_id = p.partner_id
    WHERE a.theme IS NOT NULL AND a.maturity_level IS NOT NULL
),

campaign_order AS (
    SELECT
        campaign_id,
        LAG(campaign_id) OVER (ORDER BY opens_on, campaign_id) AS previous_campaign_id
    FROM {{ source("ref", "campaigns") }}
    WHERE campaign_id IN (SELECT campaign_id FROM answers)
),

pairs AS (
    SELECT
        now.campaign_id,
        o.previous_campaign_id,
        now.theme,
        now.college,
        now.level AS current_level,
        earlier.level AS previous_level
    FROM answers AS now
    INNER JOIN campaign_order AS o ON now.campaign_id = o.campaign_id
    INNER JOIN answers AS earlier
        ON
            o.previous_campaign_id = earlier.campaign_id
            AND now.partner_id = earlier.partner_id
            AND now.theme = earlier.theme
),

answered AS (
    SELECT
        campaign_id,
        theme,
        college,
        COUNT(*) AS answers,
        SUM(level) AS level_sum
    FROM answers
    GROUP BY campaign_id, theme, college
    UNION ALL
    SELECT
        campaign_id,
        theme,
        '{{ var("all_colleges") }}' AS college,
        COUNT(*) AS answers,
        SUM(level) AS level_sum
    FROM answers
    GROUP BY campaign_id, theme
),

paired AS (
    SELECT
        campaign_id,
        previous_campaign_id,
        theme,
        college,
        COUNT(*) AS answers,
        SUM(current_level) AS current_sum,
        SUM(previous_level) AS previous_sum
    FROM pairs
    GROUP BY campaign_id, previous_campaign_id, theme, college
    UNION ALL
    SELECT
        campaign_id,
        previous_campaign_id,
        theme,
        '{{ var("all_colleges") }}' AS college,
        COUNT(*) AS answers,
        SUM(current_level) AS current_sum,
        SUM(previous_level) AS previous_sum
    FROM pairs
    GROUP BY campaign_id, previous_campaign_id, theme
)

SELECT
    'maturity_by_theme' AS mart,
    COALESCE(a.campaign_id, m.campaign_id) AS campaign_id,
    COALESCE(a.theme, m.theme) AS theme,
    COALESCE(a.college, m.college) AS college,
    COALESCE(a.answers, 0) - COALESCE(m.partner_count, 0) AS count_difference,
    CASE
        WHEN m.mean_level IS NULL AND m.suppressed_reason IS NOT NULL THEN 0
        ELSE COALESCE(a.level_sum, 0) - COALESCE(m.mean_level * m.partner_count, 0)
    END AS sum_difference,
    0 AS previous_sum_difference,
    0 AS change_difference
FROM answered AS a
FULL OUTER JOIN {{ ref("maturity_by_theme") }} AS m
    ON a.campaign_id = m.campaign_id AND a.theme = m.theme AND a.college = m.college
UNION ALL
SELECT
    'maturity_change' AS mart,
    COALESCE(p.campaign_id, m.campaign_id) AS campaign_id,
    COALESCE(p.theme, m.theme) AS theme,
    COALESCE(p.college, m.college) AS college,
    COALESCE(p.answers, 0) - COALESCE(m.paired_partner_count, 0)
    + CASE WHEN p.previous_campaign_id = m.previous_campaign_id THEN 0 ELSE 1 END
        AS count_difference,
    CASE
        WHEN m.current_mean_level IS NULL AND m.suppressed_reason IS NOT NULL THEN 0
        ELSE COALESCE(p.current_sum, 0)
            - COALESCE(m.current_mean_level * m.paired_partner_count, 0)
    END AS sum_difference,
    CASE
        WHEN m.previous_mean_level IS NULL AND m.suppressed_reason IS NOT NULL THEN 0
        ELSE COALESCE(p.previous_sum, 0)
            - COALESCE(m.previous_mean_level * m.paired_partner_count, 0)
    END AS previous_sum_difference,
    CASE
        WHEN m.change_in_mean_level IS NULL
            THEN
                CASE
                    WHEN m.current_mean_level IS NOT NULL AND m.previous_mean_level IS NOT NULL
                        THEN 1
                    ELSE 0
                END
        WHEN m.current_mean_level IS NULL OR m.previous_mean_level IS NULL THEN 1
        ELSE m.change_in_mean_level - (m.current_mean_level - m.previous_mean_level)
    END AS change_difference
FROM paired AS p
FULL OUTER JOIN {{ ref("maturity_change") }} AS m
    ON p.campaign_id = m.campaign_id AND p.theme = m.theme AND p.college = m.college
