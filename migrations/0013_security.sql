-- Security fixes (issue 11).

-- Integrity events reported by a candidate's page are capped per attempt; the cap is taken
-- by the same statement that inserts (an UPDATE of this counter guarded by the cap), so
-- concurrent reports can never exceed it.
ALTER TABLE attempts
    ADD COLUMN page_events integer NOT NULL DEFAULT 0 CHECK (page_events >= 0);
UPDATE attempts a SET page_events = (SELECT count(*) FROM integrity_events e
                                     WHERE e.attempt_id = a.id AND e.kind <> 'fast_answer');

-- Sign-in throttling (service/auth/login_throttle.py): one row per counter, keyed by a
-- SHA-256 of the address and/or account (never the e-mail or address itself); attempts are
-- counted before the password is checked, by an atomic upsert.
DROP TABLE login_failures;
CREATE TABLE login_throttle (
    key_sha256   bytea PRIMARY KEY CHECK (length(key_sha256) = 32),
    window_start timestamptz NOT NULL,
    attempts     integer NOT NULL CHECK (attempts >= 0),
    next_at      timestamptz NOT NULL
);
CREATE INDEX login_throttle_window ON login_throttle (window_start);
