-- Readiness estimate: model registry (versions, provenance, metrics, skops artifacts),
-- active pointers with history (activation and rollback), hiring outcomes posted back by
-- HR systems, and the estimates made for scored attempts.

-- A model version. organization_id NULL = a global model (trained on the simulated prior);
-- otherwise the organization whose outcomes (or simulated prior) trained it. Rows are
-- immutable except retired_at, set when a rollback takes the version out of service.
CREATE SEQUENCE readiness_model_seq;
CREATE TABLE readiness_models (
    version          text PRIMARY KEY CHECK (version ~ '^rm-[0-9]{4,}$'),
    organization_id  uuid REFERENCES organizations (id) ON DELETE CASCADE,
    created_at       timestamptz NOT NULL DEFAULT now(),
    provenance       text NOT NULL CHECK (provenance IN ('simulated', 'real')),
    estimator        text NOT NULL CHECK (length(estimator) BETWEEN 1 AND 100),
    n_train          integer NOT NULL CHECK (n_train > 0),
    n_validation     integer NOT NULL CHECK (n_validation > 0 AND n_validation < n_train),
    n_positive       integer NOT NULL CHECK (n_positive BETWEEN 0 AND n_train),
    outcomes_from    date,
    outcomes_to      date,
    content_version  text,
    features         text[] NOT NULL CHECK (cardinality(features) > 0),
    feature_means    double precision[] NOT NULL,
    hyperparameters  jsonb NOT NULL,
    metrics          jsonb NOT NULL,
    artifact         bytea NOT NULL,
    artifact_sha256  text NOT NULL CHECK (artifact_sha256 ~ '^[0-9a-f]{64}$'),
    seed             bigint NOT NULL,
    created_by       text NOT NULL CHECK (length(created_by) BETWEEN 1 AND 200),
    notes            text NOT NULL DEFAULT '',
    retired_at       timestamptz,
    CHECK (cardinality(feature_means) = cardinality(features)),
    CHECK (outcomes_from IS NULL OR outcomes_to IS NULL OR outcomes_from <= outcomes_to),
    CHECK (provenance = 'simulated' OR organization_id IS NOT NULL)
);
CREATE INDEX readiness_models_org ON readiness_models (organization_id, created_at DESC);

-- Append-only activation history. The active model of a scope (an organization, or the
-- global scope when organization_id is NULL) is its newest row; an organization without
-- rows of its own uses the global one. Rollback appends a row pointing back.
CREATE TABLE readiness_model_activations (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id  uuid REFERENCES organizations (id) ON DELETE CASCADE,
    model_version    text NOT NULL REFERENCES readiness_models (version) ON DELETE CASCADE,
    action           text NOT NULL CHECK (action IN ('activate', 'rollback')),
    activated_by     text NOT NULL CHECK (length(activated_by) BETWEEN 1 AND 200),
    reason           text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
    activated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX readiness_model_activations_scope
    ON readiness_model_activations (organization_id, id DESC);

-- Whether a hired candidate met the 90-day performance standard, as posted by an HR system
-- (or entered by staff). One outcome per candidate and source; a re-post replaces it.
CREATE TABLE hiring_outcomes (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL,
    candidate_id     uuid NOT NULL,
    attempt_id       uuid,
    met_standard     boolean NOT NULL,
    observed_on      date NOT NULL,
    source           text NOT NULL CHECK (length(source) BETWEEN 1 AND 100),
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (candidate_id, source),
    FOREIGN KEY (organization_id, candidate_id) REFERENCES candidates (organization_id, id)
        ON DELETE CASCADE,
    FOREIGN KEY (organization_id, attempt_id) REFERENCES attempts (organization_id, id)
        ON DELETE SET NULL (attempt_id)
);
CREATE INDEX hiring_outcomes_org ON hiring_outcomes (organization_id, observed_on);

-- Each readiness estimate made for an attempt, with the model version that made it.
CREATE TABLE readiness_predictions (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id  uuid NOT NULL,
    attempt_id       uuid NOT NULL,
    model_version    text NOT NULL REFERENCES readiness_models (version),
    probability      double precision NOT NULL CHECK (probability BETWEEN 0 AND 1),
    band             text NOT NULL CHECK (band IN ('ready', 'nearly_ready', 'not_yet')),
    lower            double precision NOT NULL CHECK (lower BETWEEN 0 AND 1),
    upper            double precision NOT NULL CHECK (upper BETWEEN 0 AND 1),
    explanation      jsonb NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (lower <= probability AND probability <= upper),
    FOREIGN KEY (organization_id, attempt_id) REFERENCES attempts (organization_id, id)
        ON DELETE CASCADE
);
CREATE INDEX readiness_predictions_attempt
    ON readiness_predictions (organization_id, attempt_id, created_at DESC);
