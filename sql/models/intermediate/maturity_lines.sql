-- One row per theme a partner assessed (the contract's optional self-assessment
-- part): its maturity level as a number (a level's code is its rank on the
-- scale), the partner's college, and the campaigns the answer is paired with for
-- the change between campaigns: the previous campaign with answers when the
-- partner answered the same theme there, and the next one likewise. Every answer
-- is confidential: the disclosure plan and audit read these lines as the
-- contributions behind every published maturity figure, knowing, as anyone
-- reading the template does, the lowest and highest levels of the scale the
-- answer was given on (kept with it when its file was read).
WITH answers AS (
    SELECT
        a.campaign_id,
        a.partner_id,
        COALESCE(p.college, '{{ var("not_given") }}') AS college,
        a.submission_id,
        a.source_sheet,
        a.source_row,
        a.theme,
        CAST(a.maturity_level AS INTEGER) AS level,
        a.scale_lowest,
        a.scale_highest
    FROM {{ source("core", "self_assessment") }} AS a
    LEFT JOIN {{ source("ref", "partners") }} AS p ON a.partner_id = p.partner_id
    WHERE a.theme IS NOT NULL AND a.maturity_level IS NOT NULL
),

campaigns AS (
    SELECT
        campaign_id,
        LAG(campaign_id) OVER (ORDER BY opens_on, campaign_id) AS previous_campaign_id,
        LEAD(campaign_id) OVER (ORDER BY opens_on, campaign_id) AS next_campaign_id
    FROM {{ source("ref", "campaigns") }}
    WHERE campaign_id IN (SELECT campaign_id FROM answers)
)

SELECT
    a.campaign_id,
    a.partner_id,
    a.college,
    a.submission_id,
    a.source_sheet,
    a.source_row,
    a.theme,
    a.level,
    CASE WHEN earlier.partner_id IS NOT NULL THEN c.previous_campaign_id END
        AS previous_campaign_id,
    CASE WHEN later.partner_id IS NOT NULL THEN c.next_campaign_id END AS next_campaign_id,
    a.scale_lowest,
    a.scale_highest
FROM answers AS a
INNER JOIN campaigns AS c ON a.campaign_id = c.campaign_id
LEFT JOIN answers AS earlier
    ON
        earlier.campaign_id = c.previous_campaign_id
        AND a.partner_id = earlier.partner_id
        AND a.theme = earlier.theme
LEFT JOIN answers AS later
    ON
        later.campaign_id = c.next_campaign_id
        AND a.partner_id = later.partner_id
        AND a.theme = later.theme
