-- One row per campaign and partner that was expected or sent something: how far
-- its submission is, as it stood on the "as of" day (the day of the build, or the day a
-- follow-up is for: files received after it are not counted). "late": expected, no
-- accepted file received by the deadline, and either the deadline has passed or
-- the accepted file came after it.
WITH received AS (
    SELECT * FROM {{ source("landing", "submissions") }} WHERE CAST(received_at AS DATE) <= {{ as_of() }}
),

partners_in_campaign AS (
    SELECT campaign_id, partner_id FROM {{ source("ref", "expected_partners") }}
    UNION
    SELECT campaign_id, partner_id FROM received
),

ranked AS (
    SELECT
        s.*,
        ROW_NUMBER() OVER (
            PARTITION BY s.campaign_id, s.partner_id ORDER BY s.received_at DESC, s.processed_at DESC
        ) AS recency
    FROM received AS s
),

tallies AS (
    SELECT
        s.campaign_id,
        s.partner_id,
        COUNT(*) AS submission_count,
        COUNT(*) FILTER (WHERE s.status = 'accepted') AS accepted_count,
        COUNT(*) FILTER (WHERE s.status = 'rejected') AS rejected_count,
        MIN(s.received_at) AS first_received_at,
        MAX(s.received_at) AS last_received_at,
        SUM(s.error_count) AS error_count,
        SUM(s.warning_count) AS warning_count,
        BOOL_OR(s.status = 'accepted' AND CAST(s.received_at AS DATE) <= c.deadline)
            AS accepted_on_time
    FROM received AS s
    INNER JOIN {{ source("ref", "campaigns") }} AS c ON s.campaign_id = c.campaign_id
    GROUP BY s.campaign_id, s.partner_id
)

SELECT
    pc.campaign_id,
    pc.partner_id,
    p.name AS partner_name,
    c.deadline,
    e.partner_id IS NOT NULL AS expected,
    COALESCE(t.submission_count, 0) > 0 AS submitted,
    COALESCE(t.accepted_count, 0) > 0 AS accepted,
    COALESCE(t.submission_count, 0) AS submission_count,
    COALESCE(t.accepted_count, 0) AS accepted_count,
    COALESCE(t.rejected_count, 0) AS rejected_count,
    t.first_received_at,
    t.last_received_at,
    latest.status AS latest_status,
    latest.file_name AS latest_file_name,
    COALESCE(latest.error_count, 0) AS latest_error_count,
    COALESCE(latest.warning_count, 0) AS latest_warning_count,
    COALESCE(t.error_count, 0) AS error_count,
    COALESCE(t.warning_count, 0) AS warning_count,
    (
        e.partner_id IS NOT NULL
        AND NOT COALESCE(t.accepted_on_time, FALSE)
        AND (COALESCE(t.accepted_count, 0) > 0 OR {{ as_of() }} > c.deadline)
    ) AS late
FROM partners_in_campaign AS pc
INNER JOIN {{ source("ref", "campaigns") }} AS c ON pc.campaign_id = c.campaign_id
LEFT JOIN {{ source("ref", "partners") }} AS p ON pc.partner_id = p.partner_id
LEFT JOIN {{ source("ref", "expected_partners") }} AS e
    ON pc.campaign_id = e.campaign_id AND pc.partner_id = e.partner_id
LEFT JOIN tallies AS t ON pc.campaign_id = t.campaign_id AND pc.partner_id = t.partner_id
LEFT JOIN ranked AS latest
    ON
        pc.campaign_id = latest.campaign_id
        AND pc.partner_id = latest.partner_id
        AND latest.recency = 1
ORDER BY pc.campaign_id, pc.partner_id
