-- HR systems pull scores (issue 14): result versions and their feed, invitation lifecycle,
-- e-mails, hiring outcomes, webhooks, idempotency keys, Greenhouse orders, shared profile
-- links.

-- Candidates: keyset paging newest first and "changed since".
ALTER TABLE candidates ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
UPDATE candidates SET updated_at = created_at;
CREATE INDEX candidates_keyset ON candidates (organization_id, created_at DESC, id DESC);
CREATE INDEX candidates_updated ON candidates (organization_id, updated_at);

-- Invitations: where they came from, their lifecycle, and a per-invitation callback.
-- callback_kind 'webhook': every event about the invitation is POSTed there, signed with
-- callback_secret (shown once at creation); 'greenhouse': one unsigned PATCH on completion.
ALTER TABLE invitations
    ADD COLUMN callback_url     text CHECK (length(callback_url) BETWEEN 8 AND 2000),
    ADD COLUMN callback_kind    text CHECK (callback_kind IN ('webhook', 'greenhouse')),
    ADD COLUMN callback_secret  text,
    ADD COLUMN started_at       timestamptz,
    ADD COLUMN completed_at     timestamptz,
    ADD COLUMN reissued_at      timestamptz,
    ADD COLUMN reminded_at      timestamptz,
    ADD CONSTRAINT invitations_callback CHECK ((callback_url IS NULL) = (callback_kind IS NULL));
CREATE INDEX invitations_keyset ON invitations (organization_id, created_at DESC, id DESC);
CREATE INDEX invitations_reminders ON invitations (expires_at)
    WHERE revoked_at IS NULL AND completed_at IS NULL AND reminded_at IS NULL;

-- The result feed. A result is an attempt's score; every scoring run published for it is a
-- version (old versions stay readable). `seq` orders versions of an organization in commit
-- order: it is taken from the organization's counter row, whose lock is held until the
-- writing transaction commits, so no version can ever appear below a sequence number a
-- reader has already seen. `created_at` is strictly increasing with `seq` for the same
-- reason, which makes `updated_since` safe too.
CREATE TABLE result_feed_counters (
    organization_id uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    last_seq        bigint NOT NULL DEFAULT 0,
    last_at         timestamptz NOT NULL DEFAULT '-infinity'
);

CREATE TABLE result_versions (
    organization_id uuid NOT NULL,
    attempt_id      uuid NOT NULL,
    version         integer NOT NULL CHECK (version >= 1),
    seq             bigint NOT NULL CHECK (seq >= 1),
    scoring_run_id  uuid NOT NULL,
    candidate_id    uuid NOT NULL,
    assessment_id   text NOT NULL,
    document        text NOT NULL,
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (attempt_id, version),
    UNIQUE (organization_id, seq),
    FOREIGN KEY (organization_id, attempt_id) REFERENCES attempts (organization_id, id)
        ON DELETE CASCADE,
    FOREIGN KEY (organization_id, scoring_run_id) REFERENCES scoring_runs (organization_id, id)
        ON DELETE CASCADE,
    FOREIGN KEY (organization_id, candidate_id) REFERENCES candidates (organization_id, id)
        ON DELETE CASCADE
);
CREATE INDEX result_versions_by_attempt ON result_versions (attempt_id, seq);
CREATE INDEX result_versions_by_candidate ON result_versions (organization_id, candidate_id);
CREATE INDEX result_versions_by_time ON result_versions (organization_id, created_at);

-- Readiness estimates name the scoring run they were made after.
ALTER TABLE readiness_predictions ADD COLUMN scoring_run_id uuid;

-- Hiring decisions and later outcomes posted by an HR system, one row per candidate and
-- source (a re-post replaces it). The training label (hiring_outcomes) is derived from it.
CREATE TABLE candidate_outcomes (
    organization_id   uuid NOT NULL,
    candidate_id      uuid NOT NULL,
    source            text NOT NULL CHECK (length(source) BETWEEN 1 AND 100),
    hired             boolean NOT NULL,
    hired_on          date,
    retained_90_days  boolean,
    supervisor_rating smallint CHECK (supervisor_rating BETWEEN 1 AND 5),
    observed_on       date NOT NULL,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (candidate_id, source),
    FOREIGN KEY (organization_id, candidate_id) REFERENCES candidates (organization_id, id)
        ON DELETE CASCADE,
    CHECK (hired OR (retained_90_days IS NULL AND supervisor_rating IS NULL))
);

-- E-mails to candidates: the invitation and one reminder. The link (which carries the
-- token) is kept only while the invitation is live, because the reminder must carry it too;
-- the periodic upkeep clears it once the invitation has ended.
CREATE TABLE outbound_emails (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL,
    invitation_id   uuid NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('invitation', 'reminder')),
    to_address      text NOT NULL CHECK (length(to_address) BETWEEN 3 AND 320),
    link            text,
    status          text NOT NULL CHECK (status IN ('outbox', 'queued', 'sent', 'failed',
                                                    'bounced')),
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error      text CHECK (length(last_error) <= 500),
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, invitation_id) REFERENCES invitations (organization_id, id)
        ON DELETE CASCADE
);
CREATE INDEX outbound_emails_invitation ON outbound_emails (invitation_id, created_at DESC);
CREATE INDEX outbound_emails_outbox ON outbound_emails (organization_id, created_at DESC)
    WHERE status = 'outbox';

-- Webhook endpoints of an organization. The signing secret must be readable to sign
-- (HMAC), so it is stored as given; the previous one stays valid for 24 h after rotation.
CREATE TABLE webhook_endpoints (
    id                      uuid PRIMARY KEY,
    organization_id         uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    url                     text NOT NULL CHECK (length(url) BETWEEN 8 AND 2000),
    events                  text[] NOT NULL CHECK (cardinality(events) >= 1),
    description             text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
    secret                  text NOT NULL,
    previous_secret         text,
    previous_secret_until   timestamptz,
    created_at              timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, id)
);
CREATE INDEX webhook_endpoints_org ON webhook_endpoints (organization_id, created_at DESC);

-- What happened (thin events: ids and links), and each delivery of an event to a target.
CREATE TABLE integration_events (
    id              text PRIMARY KEY CHECK (id ~ '^msg_[0-9a-f]{32}$'),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    type            text NOT NULL,
    invitation_id   uuid,
    payload         text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, id)
);

CREATE TABLE webhook_deliveries (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL,
    event_id        text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('webhook', 'callback', 'greenhouse')),
    endpoint_id     uuid,
    invitation_id   uuid,
    url             text NOT NULL,
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    last_status_code integer,
    created_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, event_id) REFERENCES integration_events (organization_id, id)
        ON DELETE CASCADE,
    FOREIGN KEY (organization_id, endpoint_id) REFERENCES webhook_endpoints (organization_id, id)
        ON DELETE CASCADE,
    FOREIGN KEY (organization_id, invitation_id) REFERENCES invitations (organization_id, id)
        ON DELETE CASCADE,
    CHECK ((kind = 'webhook') = (endpoint_id IS NOT NULL))
);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);

CREATE TABLE webhook_delivery_attempts (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id     uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt         integer NOT NULL CHECK (attempt >= 1),
    status_code     integer,
    duration_ms     double precision NOT NULL CHECK (duration_ms >= 0),
    error           text CHECK (length(error) <= 500),
    at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_delivery_attempts_delivery ON webhook_delivery_attempts (delivery_id, id);

-- A row that needs work defers its job in the same transaction (procrastinate's own SQL
-- function), so core code that records an event or an e-mail needs no job-engine import
-- and the job exists exactly when the row does.
CREATE FUNCTION chartready_defer_row_job() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM procrastinate_defer_jobs_v1(ARRAY[ROW(TG_ARGV[0], TG_ARGV[1], 0, NULL, NULL,
        jsonb_build_object(TG_ARGV[2], NEW.id::text), NULL)::procrastinate_job_to_defer_v1]);
    RETURN NEW;
END $$;
CREATE TRIGGER webhook_deliveries_defer AFTER INSERT ON webhook_deliveries
    FOR EACH ROW EXECUTE FUNCTION chartready_defer_row_job('webhooks', 'deliver_webhook',
                                                           'delivery');
CREATE TRIGGER outbound_emails_defer AFTER INSERT ON outbound_emails
    FOR EACH ROW WHEN (NEW.status = 'queued')
    EXECUTE FUNCTION chartready_defer_row_job('emails', 'send_email', 'email');

-- Idempotency-Key: the first response to a key (per API key) is replayed for 24 hours.
CREATE TABLE idempotency_keys (
    api_key_id      uuid NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    key             text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_sha256  bytea NOT NULL,
    status_code     integer,
    headers         jsonb,
    body            bytea,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    PRIMARY KEY (api_key_id, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

-- Greenhouse Assessment Partner orders: partner_interview_id is the invitation's id.
CREATE TABLE greenhouse_orders (
    invitation_id   uuid PRIMARY KEY,
    organization_id uuid NOT NULL,
    partner_test_id text NOT NULL CHECK (length(partner_test_id) BETWEEN 1 AND 100),
    created_at      timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, invitation_id) REFERENCES invitations (organization_id, id)
        ON DELETE CASCADE
);

-- Expiring links to a candidate's employer profile for recruiters (Greenhouse's
-- partner_profile_url): a random token stored only as SHA-256.
CREATE TABLE profile_links (
    token_sha256    bytea PRIMARY KEY CHECK (length(token_sha256) = 32),
    organization_id uuid NOT NULL,
    candidate_id    uuid NOT NULL,
    expires_at      timestamptz NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, candidate_id) REFERENCES candidates (organization_id, id)
        ON DELETE CASCADE
);
CREATE INDEX profile_links_expiry ON profile_links (expires_at);

-- Attempts scored before this migration are published by the periodic upkeep job
-- (service/jobs/hr_upkeep.py), which publishes any current scoring run without a version.
