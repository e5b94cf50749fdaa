-- Scoring runs keep what the engine reports beyond totals; human ratings of constructed
-- responses; staff sessions and login throttling.

ALTER TABLE scoring_runs
    ADD COLUMN equated_raw    double precision NOT NULL DEFAULT 0 CHECK (equated_raw >= 0),
    ADD COLUMN raw_cut        double precision NOT NULL DEFAULT 0 CHECK (raw_cut >= 0),
    ADD COLUMN section_scores jsonb NOT NULL DEFAULT '[]';

-- One row per rater per response item. `role` says whether it is one of the two independent
-- ratings or the adjudication that settles a disagreement of more than one level.
CREATE TABLE ratings (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL,
    attempt_id      uuid NOT NULL,
    item_id         text NOT NULL CHECK (length(item_id) BETWEEN 1 AND 40),
    rater_id        uuid NOT NULL,
    role            text NOT NULL CHECK (role IN ('independent', 'adjudication')),
    levels          jsonb NOT NULL CHECK (jsonb_typeof(levels) = 'object'),
    notes           text CHECK (length(notes) <= 2000),
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (attempt_id, item_id, rater_id),
    FOREIGN KEY (organization_id, attempt_id) REFERENCES attempts (organization_id, id)
        ON DELETE CASCADE,
    FOREIGN KEY (organization_id, rater_id) REFERENCES users (organization_id, id)
);
CREATE UNIQUE INDEX ratings_one_adjudication ON ratings (attempt_id, item_id)
    WHERE role = 'adjudication';
CREATE INDEX ratings_by_rater ON ratings (organization_id, rater_id);

-- Staff sessions work across workers (stored here) and die at logout (row deleted).
CREATE TABLE staff_sessions (
    token_sha256    bytea PRIMARY KEY CHECK (length(token_sha256) = 32),
    organization_id uuid NOT NULL,
    user_id         uuid NOT NULL,
    csrf_token      text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    FOREIGN KEY (organization_id, user_id) REFERENCES users (organization_id, id)
        ON DELETE CASCADE
);
CREATE INDEX staff_sessions_expiry ON staff_sessions (expires_at);

-- Failed logins, for throttling (keyed by a hash of the lower-cased email, not the email).
CREATE TABLE login_failures (
    email_sha256 bytea NOT NULL,
    at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_recent ON login_failures (email_sha256, at);
