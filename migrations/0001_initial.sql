-- ChartReady initial schema: tenants, people, content versions, invitations, attempts,
-- responses and scores. Every tenant-owned table carries organization_id, and foreign keys
-- into tenant-owned tables include it, so a row can never point into another tenant.

CREATE TABLE organizations (
    id          uuid PRIMARY KEY,
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email           text NOT NULL CHECK (length(email) BETWEEN 3 AND 320 AND position('@' IN email) > 1),
    display_name    text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    role            text NOT NULL CHECK (role IN ('admin', 'coordinator', 'rater', 'viewer')),
    password_hash   text NOT NULL,
    disabled        boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, id),
    UNIQUE (organization_id, email)
);

-- API keys for HR systems: only a SHA-256 of the (256-bit random) secret is stored.
CREATE TABLE api_keys (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    prefix          text NOT NULL UNIQUE,
    secret_sha256   bytea NOT NULL UNIQUE CHECK (length(secret_sha256) = 32),
    scopes          text[] NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_used_at    timestamptz,
    revoked_at      timestamptz
);

CREATE TABLE candidates (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    external_id     text CHECK (length(external_id) BETWEEN 1 AND 200),
    given_name      text NOT NULL CHECK (length(given_name) BETWEEN 1 AND 200),
    family_name     text NOT NULL CHECK (length(family_name) BETWEEN 1 AND 200),
    email           text NOT NULL CHECK (length(email) BETWEEN 3 AND 320 AND position('@' IN email) > 1),
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, id),
    UNIQUE (organization_id, external_id)
);

-- Self-reported protected attributes live apart from candidates: used only for fairness
-- audits, never as model features, and readable only by audit code.
CREATE TABLE candidate_demographics (
    organization_id uuid NOT NULL,
    candidate_id    uuid NOT NULL,
    sex             text CHECK (sex IN ('female', 'male', 'unknown')),
    race_ethnicity  text CHECK (race_ethnicity IN ('hispanic_latino', 'white', 'black', 'nhpi',
                                                  'asian', 'native_american', 'two_or_more',
                                                  'unknown')),
    reported_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, candidate_id),
    FOREIGN KEY (organization_id, candidate_id) REFERENCES candidates (organization_id, id)
        ON DELETE CASCADE
);

CREATE TABLE cohorts (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    starts_on       date,
    ends_on         date,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on),
    UNIQUE (organization_id, id),
    UNIQUE (organization_id, name)
);

CREATE TABLE cohort_members (
    organization_id uuid NOT NULL,
    cohort_id       uuid NOT NULL,
    candidate_id    uuid NOT NULL,
    added_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (cohort_id, candidate_id),
    FOREIGN KEY (organization_id, cohort_id) REFERENCES cohorts (organization_id, id)
        ON DELETE CASCADE,
    FOREIGN KEY (organization_id, candidate_id) REFERENCES candidates (organization_id, id)
        ON DELETE CASCADE
);

-- Content versions are global (the item bank ships with the service) and immutable: the id
-- is derived from the hash of every rubric file.
CREATE TABLE content_versions (
    id            text PRIMARY KEY CHECK (id ~ '^c-[0-9a-f]{12}$'),
    content_hash  text NOT NULL UNIQUE CHECK (content_hash ~ '^[0-9a-f]{64}$'),
    summary       jsonb NOT NULL DEFAULT '{}',
    loaded_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE invitations (
    id                uuid PRIMARY KEY,
    organization_id   uuid NOT NULL,
    candidate_id      uuid NOT NULL,
    cohort_id         uuid,
    token_sha256      bytea NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
    assessments       text[] NOT NULL CHECK (cardinality(assessments) BETWEEN 1 AND 4),
    time_multiplier   numeric(3, 2) CHECK (time_multiplier IS NULL OR time_multiplier BETWEEN 1 AND 4),
    untimed           boolean NOT NULL DEFAULT false,
    expires_at        timestamptz NOT NULL,
    created_by        text NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    revoked_at        timestamptz,
    consented_at      timestamptz,
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, candidate_id) REFERENCES candidates (organization_id, id)
        ON DELETE CASCADE,
    FOREIGN KEY (organization_id, cohort_id) REFERENCES cohorts (organization_id, id)
        ON DELETE SET NULL (cohort_id),
    CHECK (expires_at > created_at)
);

CREATE TABLE attempts (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL,
    candidate_id     uuid NOT NULL,
    invitation_id    uuid NOT NULL,
    assessment_id    text NOT NULL CHECK (assessment_id ~ '^[a-z_]{2,40}$'),
    form_id          text NOT NULL CHECK (form_id ~ '^[a-z_]{2,40}-[a-z]$'),
    content_version  text NOT NULL REFERENCES content_versions (id),
    status           text NOT NULL DEFAULT 'in_progress'
                     CHECK (status IN ('in_progress', 'submitted', 'expired', 'scored')),
    started_at       timestamptz NOT NULL DEFAULT now(),
    deadline_at      timestamptz,
    submitted_at     timestamptz,
    finalized_reason text CHECK (finalized_reason IN ('candidate', 'deadline', 'staff')),
    UNIQUE (organization_id, id),
    UNIQUE (invitation_id, assessment_id),
    FOREIGN KEY (organization_id, candidate_id) REFERENCES candidates (organization_id, id)
        ON DELETE CASCADE,
    FOREIGN KEY (organization_id, invitation_id) REFERENCES invitations (organization_id, id)
        ON DELETE CASCADE,
    CHECK (submitted_at IS NULL OR submitted_at >= started_at)
);
CREATE INDEX attempts_org_status ON attempts (organization_id, status);

-- One row per (attempt, item): the newest answer wins by client sequence number.
CREATE TABLE responses (
    organization_id uuid NOT NULL,
    attempt_id      uuid NOT NULL,
    item_id         text NOT NULL CHECK (length(item_id) BETWEEN 1 AND 40),
    answer          jsonb NOT NULL,
    client_seq      bigint NOT NULL CHECK (client_seq >= 0),
    saved_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (attempt_id, item_id),
    FOREIGN KEY (organization_id, attempt_id) REFERENCES attempts (organization_id, id)
        ON DELETE CASCADE
);

-- A scoring run is one application of one content version to one attempt. Rescoring adds a
-- run (old ones stay); `current` marks the one reported.
CREATE TABLE scoring_runs (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL,
    attempt_id       uuid NOT NULL,
    content_version  text NOT NULL REFERENCES content_versions (id),
    raw_total        double precision NOT NULL CHECK (raw_total >= 0),
    max_total        double precision NOT NULL CHECK (max_total > 0),
    scaled_score     double precision NOT NULL CHECK (scaled_score BETWEEN 100 AND 400),
    passed           boolean NOT NULL,
    provisional      boolean NOT NULL,
    current          boolean NOT NULL DEFAULT true,
    reason           text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
    created_by       text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, attempt_id) REFERENCES attempts (organization_id, id)
        ON DELETE CASCADE,
    CHECK (raw_total <= max_total)
);
CREATE UNIQUE INDEX scoring_runs_one_current ON scoring_runs (attempt_id) WHERE current;

CREATE TABLE item_scores (
    organization_id uuid NOT NULL,
    scoring_run_id  uuid NOT NULL,
    item_id         text NOT NULL,
    points          double precision NOT NULL CHECK (points >= 0),
    max_points      double precision NOT NULL CHECK (max_points > 0),
    feedback        jsonb NOT NULL DEFAULT '{}',
    provisional     boolean NOT NULL DEFAULT false,
    PRIMARY KEY (scoring_run_id, item_id),
    FOREIGN KEY (organization_id, scoring_run_id) REFERENCES scoring_runs (organization_id, id)
        ON DELETE CASCADE,
    CHECK (points <= max_points)
);

CREATE TABLE competency_scores (
    organization_id uuid NOT NULL,
    scoring_run_id  uuid NOT NULL,
    competency_id   text NOT NULL,
    raw             double precision NOT NULL CHECK (raw >= 0),
    max             double precision NOT NULL CHECK (max > 0),
    percent         double precision NOT NULL CHECK (percent BETWEEN 0 AND 100),
    PRIMARY KEY (scoring_run_id, competency_id),
    FOREIGN KEY (organization_id, scoring_run_id) REFERENCES scoring_runs (organization_id, id)
        ON DELETE CASCADE,
    CHECK (raw <= max)
);

-- Who read or changed which candidate's results, and why for manual changes.
CREATE TABLE audit_log (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    actor           text NOT NULL,
    action          text NOT NULL,
    subject_kind    text NOT NULL,
    subject_id      text NOT NULL,
    reason          text,
    at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_subject ON audit_log (organization_id, subject_kind, subject_id);
