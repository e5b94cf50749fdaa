-- An admin can disable a webhook endpoint without deleting it (and its delivery log): no new
-- deliveries are made for it, and pending ones are not sent, until it is enabled again.
ALTER TABLE webhook_endpoints ADD COLUMN disabled_at timestamptz;
