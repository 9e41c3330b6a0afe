-- Named queries of the link package. Multi-row inserts are built in
-- create.go and clicks.go because their length depends on the batch.

-- name: link_add
INSERT INTO links (token, target, campaign, content, customer_id, created_at) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (token) DO NOTHING

-- name: link_by_token
SELECT id, target, campaign, content, customer_id FROM links WHERE token = ?

-- name: click_add
INSERT INTO link_clicks (link_id, customer_id, at, user_agent, ip_hash, bot) VALUES (?, ?, ?, ?, ?, ?)

-- name: click_counts
SELECT COALESCE(SUM(CASE WHEN bot = '' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN bot <> '' THEN 1 ELSE 0 END), 0)
FROM link_clicks

-- name: campaign_stats
SELECT COUNT(DISTINCT l.id),
       COALESCE(SUM(CASE WHEN k.bot = '' THEN 1 ELSE 0 END), 0),
       COUNT(DISTINCT CASE WHEN k.bot = '' THEN k.customer_id END),
       COALESCE(SUM(CASE WHEN k.bot <> '' THEN 1 ELSE 0 END), 0)
FROM links l LEFT JOIN link_clicks k ON k.link_id = l.id
WHERE l.campaign = ?

-- name: clicks_of_link
SELECT at, user_agent, ip_hash, bot FROM link_clicks WHERE link_id = ? ORDER BY at, id
