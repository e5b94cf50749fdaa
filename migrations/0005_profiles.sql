-- Competency profiles: the signed canonical JSON, its signature and the rendered PDF, so a
-- re-download costs no rendering. content_sha256 hashes the profile data without its
-- identity (profile_id, issued_at): issuing again for unchanged results finds the stored
-- profile instead of rendering a new one.
CREATE TABLE profiles (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    candidate_id     uuid NOT NULL,
    attempt_id       uuid,
    variant          text NOT NULL CHECK (variant IN ('candidate', 'employer')),
    data             jsonb NOT NULL,
    canonical        bytea NOT NULL,
    canonical_sha256 text NOT NULL CHECK (canonical_sha256 ~ '^[0-9a-f]{64}$'),
    content_sha256   text NOT NULL CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
    signature        text NOT NULL,
    key_id           text NOT NULL,
    pdf              bytea,
    pdf_sha256       text CHECK (pdf_sha256 ~ '^[0-9a-f]{64}$'),
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, candidate_id) REFERENCES candidates (organization_id, id)
        ON DELETE CASCADE,
    FOREIGN KEY (organization_id, attempt_id) REFERENCES attempts (organization_id, id)
        ON DELETE SET NULL (attempt_id),
    CHECK ((pdf IS NULL) = (pdf_sha256 IS NULL))
);
CREATE UNIQUE INDEX profiles_cache_key
    ON profiles (organization_id, candidate_id, variant, content_sha256);
CREATE INDEX profiles_attempt ON profiles (organization_id, attempt_id);

-- Rendering a whole cohort: one job row with progress, one item row per candidate so a
-- restarted worker resumes where it stopped (items are claimed FOR UPDATE SKIP LOCKED).
CREATE TABLE profile_jobs (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    cohort_id       uuid,
    variant         text NOT NULL CHECK (variant IN ('candidate', 'employer')),
    total           integer NOT NULL CHECK (total >= 0),
    done            integer NOT NULL DEFAULT 0 CHECK (done >= 0),
    failed          integer NOT NULL DEFAULT 0 CHECK (failed >= 0),
    status          text NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'running', 'done', 'failed')),
    created_by      text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, cohort_id) REFERENCES cohorts (organization_id, id)
        ON DELETE SET NULL (cohort_id),
    CHECK (done + failed <= total)
);
CREATE INDEX profile_jobs_open ON profile_jobs (status) WHERE status IN ('queued', 'running');

CREATE TABLE profile_job_items (
    organization_id uuid NOT NULL,
    job_id          uuid NOT NULL,
    candidate_id    uuid NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
    profile_id      uuid,
    error           text,
    PRIMARY KEY (job_id, candidate_id),
    FOREIGN KEY (organization_id, job_id) REFERENCES profile_jobs (organization_id, id)
        ON DELETE CASCADE,
    FOREIGN KEY (organization_id, candidate_id) REFERENCES candidates (organization_id, id)
        ON DELETE CASCADE,
    FOREIGN KEY (organization_id, profile_id) REFERENCES profiles (organization_id, id)
        ON DELETE SET NULL (profile_id)
);
CREATE INDEX profile_job_items_pending ON profile_job_items (job_id) WHERE status = 'pending';
