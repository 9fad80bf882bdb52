-- One row per investment, with what the marts group and count it by: the
-- action's plan axis, sector and status, whether it is live (not abandoned),
-- its partner, whether it is confidential and whether deduplication counts its
-- money (core.action_facts). The disclosure audit reads these lines as the
-- contributions behind every published amount.
SELECT
    i.campaign_id,
    i.partner_id,
    i.action_ref,
    i.source_row,
    f.plan_axis,
    f.sector,
    f.status,
    f.is_live,
    i.year,
    f.confidential,
    f.investment_counted,
    i.amount_eur
FROM core.investments AS i
INNER JOIN core.action_facts AS f
    ON
        i.campaign_id = f.campaign_id
        AND i.partner_id = f.partner_id
        AND i.action_ref = f.action_ref
