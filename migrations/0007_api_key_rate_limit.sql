-- A fixed one-minute request window per API key, counted in the same UPDATE that
-- authenticates the key (so rate limiting costs no extra round trip and holds across
-- every worker process).
ALTER TABLE api_keys
    ADD COLUMN rate_window_start timestamptz,
    ADD COLUMN rate_window_count integer NOT NULL DEFAULT 0 CHECK (rate_window_count >= 0);
