-- Background work moves onto procrastinate (its schema is applied by the migrator first).
-- What stays ours is the record of what people asked for and what went wrong:

-- A coordinator's request to render a cohort's profiles: who, which cohort, which variant,
-- how many. Progress is read from the queue's jobs (one per candidate, args->>'batch').
CREATE TABLE profile_batches (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    cohort_id       uuid,
    variant         text NOT NULL CHECK (variant IN ('candidate', 'employer')),
    total           integer NOT NULL CHECK (total >= 0),
    created_by      text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, cohort_id) REFERENCES cohorts (organization_id, id)
        ON DELETE SET NULL (cohort_id)
);
INSERT INTO profile_batches (id, organization_id, cohort_id, variant, total, created_by,
                             created_at)
SELECT id, organization_id, cohort_id, variant, total, created_by, created_at FROM profile_jobs;
DROP TABLE profile_job_items;
DROP TABLE profile_jobs;

CREATE INDEX procrastinate_jobs_batch ON procrastinate_jobs ((args ->> 'batch'))
    WHERE args ? 'batch';

-- Why a job attempt failed: the exception's type and, for our own errors, their message
-- (never a database driver's message, which may quote personal data).
CREATE TABLE job_errors (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id     bigint NOT NULL REFERENCES procrastinate_jobs (id) ON DELETE CASCADE,
    attempt    integer NOT NULL,
    error      text NOT NULL CHECK (length(error) <= 500),
    at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX job_errors_job ON job_errors (job_id);
