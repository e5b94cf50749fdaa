-- Statistics (issue 15): where each number comes from, and stored bias audits.

-- Simulated people (the demo's, a benchmark's) are marked, so every table of statistics can
-- say whether its numbers come from simulated or real candidates.
ALTER TABLE candidates ADD COLUMN simulated boolean NOT NULL DEFAULT false;

-- candidate_demographics (0001) holds self-reported sex and race/ethnicity ('unknown' is
-- "prefer not to say"); only the statistics code and admins read it. The page a candidate
-- reports on says when they did; a change replaces the earlier answer.

-- Each run's item scores once more, as arrays in item-id order (bytewise, COLLATE "C"), so
-- a statistic over a whole form reads one narrow row per attempt rather than one row per
-- item (item_scores stays the record; runs stored before this migration are filled in).
CREATE TABLE item_score_vectors (
    scoring_run_id  uuid PRIMARY KEY,
    organization_id uuid NOT NULL,
    item_ids        text[] NOT NULL,
    points          double precision[] NOT NULL,
    max_points      double precision[] NOT NULL,
    FOREIGN KEY (organization_id, scoring_run_id) REFERENCES scoring_runs (organization_id, id)
        ON DELETE CASCADE,
    CHECK (cardinality(item_ids) = cardinality(points)
           AND cardinality(item_ids) = cardinality(max_points))
);
INSERT INTO item_score_vectors (scoring_run_id, organization_id, item_ids, points, max_points)
SELECT scoring_run_id, organization_id,
       array_agg(item_id ORDER BY item_id COLLATE "C"),
       array_agg(points ORDER BY item_id COLLATE "C"),
       array_agg(max_points ORDER BY item_id COLLATE "C")
FROM item_scores GROUP BY scoring_run_id, organization_id;

-- A bias audit as run (LL144: the date of the audit, the data's source and date range and
-- every rate and impact ratio), kept so the published summary is reproducible and its age
-- known. The report is the statistics' JSON; the selection that produced it is kept too.
CREATE TABLE bias_audits (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    outcome         text NOT NULL CHECK (outcome IN ('passed', 'scaled_score', 'ready', 'hired')),
    assessment_id   text CHECK (assessment_id ~ '^[a-z_]{2,40}$'),
    cohort_id       uuid,
    date_from       date,
    date_to         date,
    data_source     text NOT NULL CHECK (data_source IN ('simulated', 'real', 'mixed')),
    report          jsonb NOT NULL,
    created_by      text NOT NULL CHECK (length(created_by) BETWEEN 1 AND 200),
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, id),
    CHECK (date_from IS NULL OR date_to IS NULL OR date_from <= date_to),
    FOREIGN KEY (organization_id, cohort_id) REFERENCES cohorts (organization_id, id)
        ON DELETE SET NULL (cohort_id)
);
CREATE INDEX bias_audits_newest ON bias_audits (organization_id, created_at DESC);
