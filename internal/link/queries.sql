-- Named queries of the link package. Multi-row inserts are built in
-- create.go and clicks.go because their length depends on the batch.

-- name: link_add
INSERT INTO links (token, target, campaign, content, customer_id, created_at) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (token) DO NOTHING

-- name: link_by_token
SELECT id, target, campaign, content FROM links WHERE token = ?

-- name: click_counts
SELECT COALESCE(SUM(human), 0), COALESCE(SUM(bot), 0) FROM link_click_counts

-- name: journal_count
SELECT COUNT(*) FROM link_clicks

-- name: campaign_stats
SELECT COUNT(*), COALESCE(SUM(n.human), 0),
       COUNT(DISTINCT CASE WHEN n.human > 0 THEN l.customer_id END),
       COALESCE(SUM(n.bot), 0)
FROM links l LEFT JOIN link_click_counts n ON n.link_id = l.id
WHERE l.campaign = ?

-- name: counts_of_link
SELECT human, bot, first_human_at, last_human_at FROM link_click_counts WHERE link_id = ?
