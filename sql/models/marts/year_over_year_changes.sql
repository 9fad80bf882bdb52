-- For each partner with accepted data in two campaigns, one row per action of
-- either: what changed since the partner's previous campaign. change is one of
-- added, dropped, status_changed, figures_changed, unchanged. Actions marked
-- confidential in either campaign are left out.
WITH partner_campaigns AS (
    SELECT DISTINCT partner_id, campaign_id FROM {{ ref("action_figures") }}
),

pairs AS (
    SELECT
        cur.partner_id,
        cur.campaign_id,
        MAX(prev.campaign_id) AS previous_campaign_id
    FROM partner_campaigns AS cur
    INNER JOIN partner_campaigns AS prev
        ON cur.partner_id = prev.partner_id AND prev.campaign_id < cur.campaign_id
    GROUP BY cur.partner_id, cur.campaign_id
),

confidential_refs AS (
    SELECT DISTINCT partner_id, action_ref FROM {{ ref("action_figures") }} WHERE confidential
),

before_rows AS (
    SELECT
        p.partner_id,
        p.campaign_id,
        p.previous_campaign_id,
        b.action_ref,
        b.status,
        b.investment_eur,
        b.retained_tco2e_per_year
    FROM pairs AS p
    INNER JOIN {{ ref("action_figures") }} AS b
        ON p.partner_id = b.partner_id AND p.previous_campaign_id = b.campaign_id
),

after_rows AS (
    SELECT
        p.partner_id,
        p.campaign_id,
        p.previous_campaign_id,
        a.action_ref,
        a.status,
        a.investment_eur,
        a.retained_tco2e_per_year
    FROM pairs AS p
    INNER JOIN {{ ref("action_figures") }} AS a
        ON p.partner_id = a.partner_id AND p.campaign_id = a.campaign_id
),

compared AS (
    SELECT
        COALESCE(a.partner_id, b.partner_id) AS partner_id,
        COALESCE(a.campaign_id, b.campaign_id) AS campaign_id,
        COALESCE(a.previous_campaign_id, b.previous_campaign_id) AS previous_campaign_id,
        COALESCE(a.action_ref, b.action_ref) AS action_ref,
        b.status AS status_before,
        a.status AS status_after,
        b.investment_eur AS investment_eur_before,
        a.investment_eur AS investment_eur_after,
        b.retained_tco2e_per_year AS tco2e_per_year_before,
        a.retained_tco2e_per_year AS tco2e_per_year_after
    FROM after_rows AS a
    FULL OUTER JOIN before_rows AS b
        ON
            a.partner_id = b.partner_id
            AND a.campaign_id = b.campaign_id
            AND a.action_ref = b.action_ref
)

SELECT
    c.partner_id,
    c.previous_campaign_id,
    c.campaign_id,
    c.action_ref,
    CASE
        WHEN c.status_before IS NULL THEN 'added'
        WHEN c.status_after IS NULL THEN 'dropped'
        WHEN c.status_before <> c.status_after THEN 'status_changed'
        WHEN
            c.investment_eur_before <> c.investment_eur_after
            OR c.tco2e_per_year_before <> c.tco2e_per_year_after
            THEN 'figures_changed'
        ELSE 'unchanged'
    END AS change,
    c.status_before,
    c.status_after,
    c.investment_eur_before,
    c.investment_eur_after,
    c.investment_eur_after - c.investment_eur_before AS investment_eur_change,
    c.tco2e_per_year_before,
    c.tco2e_per_year_after,
    c.tco2e_per_year_after - c.tco2e_per_year_before AS tco2e_per_year_change
FROM compared AS c
WHERE
    NOT EXISTS (
        SELECT 1
        FROM confidential_refs AS x
        WHERE x.partner_id = c.partner_id AND x.action_ref = c.action_ref
    )
ORDER BY c.partner_id, c.campaign_id, c.action_ref
