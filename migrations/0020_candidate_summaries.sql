-- The overview of a whole cohort (no assessment or date filter) pools each candidate's
-- competency scores over their latest scored attempts and takes their newest readiness
-- estimate. Done on every view, that groups 160,000 competency rows into 80,000 and sorts
-- 60,000 estimates at 10,000 candidates. These two tables keep each candidate's pooled
-- figures ready, refreshed from the read model of 0019 (never from a second rule):
-- * latest_competency_totals: per candidate and competency, the sums over the rows of
--   latest_competency_scores;
-- * latest_estimates: per candidate, the newest readiness estimate of any attempt in
--   latest_scores (newest by creation, then id, as the overview always chose).
-- Refreshed whenever 0019 refreshes a candidate's latest scores, and when estimates are
-- written or removed.
--
-- Two transactions may refresh one candidate at once (two assessments scored by two
-- workers): each would read the scores before the other committed and write totals without
-- them, or fail on the other's new rows. So refreshes of a candidate take turns on the
-- candidate's row: the second waits for the first to commit, then reads what it wrote. Row
-- locks rather than advisory locks, so a bulk load of 10,000 candidates does not fill the
-- lock table; in id order, so two bulk loads cannot deadlock; FOR NO KEY UPDATE, so the
-- foreign-key checks of rows that name the candidate are never held up.

CREATE TABLE latest_competency_totals (
    organization_id uuid NOT NULL,
    candidate_id    uuid NOT NULL,
    competency_id   text NOT NULL,
    raw             double precision NOT NULL,
    max             double precision NOT NULL,
    provisional_max double precision NOT NULL,
    PRIMARY KEY (organization_id, candidate_id, competency_id),
    FOREIGN KEY (organization_id, candidate_id) REFERENCES candidates (organization_id, id)
        ON DELETE CASCADE
);

CREATE TABLE latest_estimates (
    organization_id uuid NOT NULL,
    candidate_id    uuid NOT NULL,
    prediction_id   bigint NOT NULL,
    probability     double precision NOT NULL,
    model_version   text NOT NULL,
    provisional     boolean NOT NULL,
    PRIMARY KEY (organization_id, candidate_id),
    FOREIGN KEY (organization_id, candidate_id) REFERENCES candidates (organization_id, id)
        ON DELETE CASCADE
);

CREATE FUNCTION lock_candidates(orgs uuid[], people uuid[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM candidates c
    JOIN (SELECT DISTINCT org, person FROM unnest(orgs, people) AS u(org, person)) k
      ON c.organization_id = k.org AND c.id = k.person
    ORDER BY c.organization_id, c.id
    FOR NO KEY UPDATE OF c;
END $$;

CREATE FUNCTION refresh_competency_totals(orgs uuid[], people uuid[])
RETURNS void LANGUAGE sql AS $$
    SELECT lock_candidates(orgs, people);
    DELETE FROM latest_competency_totals t
    USING unnest(orgs, people) AS k(org, person)
    WHERE t.organization_id = k.org AND t.candidate_id = k.person;
    INSERT INTO latest_competency_totals (organization_id, candidate_id, competency_id, raw,
                                          max, provisional_max)
    SELECT cs.organization_id, cs.candidate_id, cs.competency_id, sum(cs.raw), sum(cs.max),
           sum(cs.provisional_max)
    FROM latest_competency_scores cs
    JOIN (SELECT DISTINCT org, person FROM unnest(orgs, people) AS u(org, person)) k
      ON cs.organization_id = k.org AND cs.candidate_id = k.person
    GROUP BY cs.organization_id, cs.candidate_id, cs.competency_id;
$$;

CREATE FUNCTION refresh_latest_estimates(orgs uuid[], people uuid[])
RETURNS void LANGUAGE sql AS $$
    SELECT lock_candidates(orgs, people);
    DELETE FROM latest_estimates e
    USING unnest(orgs, people) AS k(org, person)
    WHERE e.organization_id = k.org AND e.candidate_id = k.person;
    INSERT INTO latest_estimates (organization_id, candidate_id, prediction_id, probability,
                                  model_version, provisional)
    SELECT DISTINCT ON (l.organization_id, l.candidate_id)
           l.organization_id, l.candidate_id, rp.id, rp.probability, rp.model_version,
           rp.provisional
    FROM latest_scores l
    JOIN (SELECT DISTINCT org, person FROM unnest(orgs, people) AS u(org, person)) k
      ON l.organization_id = k.org AND l.candidate_id = k.person
    JOIN readiness_predictions rp
      ON rp.organization_id = l.organization_id AND rp.attempt_id = l.attempt_id
    ORDER BY l.organization_id, l.candidate_id, rp.created_at DESC, rp.id DESC;
$$;

-- One (organization, candidate, assessment) refreshed (0019, now taking turns on the
-- candidate too), then that candidate's totals.
CREATE OR REPLACE FUNCTION refresh_latest_scores(org uuid, person uuid, assessment text)
RETURNS void LANGUAGE sql AS $$
    SELECT lock_candidates(ARRAY[org], ARRAY[person]);
    DELETE FROM latest_scores
    WHERE organization_id = org AND candidate_id = person AND assessment_id = assessment;
    INSERT INTO latest_scores (organization_id, candidate_id, assessment_id, attempt_id, run_id,
                               form_id, submitted_at, scaled_score, passed, provisional)
    SELECT l.organization_id, l.candidate_id, l.assessment_id, l.attempt_id, l.run_id,
           l.form_id, l.submitted_at, l.scaled_score, l.passed, l.provisional
    FROM latest_scored_attempts l
    WHERE l.organization_id = org AND l.candidate_id = person AND l.assessment_id = assessment;
    INSERT INTO latest_competency_scores (organization_id, candidate_id, assessment_id,
                                          competency_id, submitted_at, raw, max,
                                          provisional_max)
    SELECT s.organization_id, s.candidate_id, s.assessment_id, cs.competency_id,
           s.submitted_at, cs.raw, cs.max, cs.provisional_max
    FROM latest_scores s
    JOIN competency_scores cs ON cs.organization_id = s.organization_id
                             AND cs.scoring_run_id = s.run_id
    WHERE s.organization_id = org AND s.candidate_id = person AND s.assessment_id = assessment;
    SELECT refresh_competency_totals(ARRAY[org], ARRAY[person]);
    SELECT refresh_latest_estimates(ARRAY[org], ARRAY[person]);
$$;

-- Many keys (0019; their candidates locked first, in order), then their candidates' totals
-- in one pass when the keys are many.
CREATE OR REPLACE FUNCTION refresh_latest_scores_keys(orgs uuid[], people uuid[],
                                                      assessments text[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    one record;
    candidate_orgs uuid[];
    candidate_people uuid[];
BEGIN
    PERFORM lock_candidates(orgs, people);
    IF cardinality(orgs) <= 200 THEN
        FOR one IN SELECT DISTINCT u.org, u.person, u.assessment
                   FROM unnest(orgs, people, assessments) AS u(org, person, assessment) LOOP
            PERFORM refresh_latest_scores(one.org, one.person, one.assessment);
        END LOOP;
        RETURN;
    END IF;
    CREATE TEMP TABLE IF NOT EXISTS refresh_keys (org uuid, person uuid, assessment text)
        ON COMMIT DROP;
    TRUNCATE refresh_keys;
    INSERT INTO refresh_keys SELECT DISTINCT * FROM unnest(orgs, people, assessments);
    DELETE FROM latest_scores s USING refresh_keys k
    WHERE s.organization_id = k.org AND s.candidate_id = k.person
      AND s.assessment_id = k.assessment;
    INSERT INTO latest_scores (organization_id, candidate_id, assessment_id, attempt_id, run_id,
                               form_id, submitted_at, scaled_score, passed, provisional)
    SELECT l.organization_id, l.candidate_id, l.assessment_id, l.attempt_id, l.run_id,
           l.form_id, l.submitted_at, l.scaled_score, l.passed, l.provisional
    FROM latest_scored_attempts l
    JOIN refresh_keys k ON l.organization_id = k.org AND l.candidate_id = k.person
                       AND l.assessment_id = k.assessment
    WHERE l.organization_id IN (SELECT DISTINCT org FROM refresh_keys);
    INSERT INTO latest_competency_scores (organization_id, candidate_id, assessment_id,
                                          competency_id, submitted_at, raw, max,
                                          provisional_max)
    SELECT s.organization_id, s.candidate_id, s.assessment_id, cs.competency_id,
           s.submitted_at, cs.raw, cs.max, cs.provisional_max
    FROM latest_scores s
    JOIN refresh_keys k ON s.organization_id = k.org AND s.candidate_id = k.person
                       AND s.assessment_id = k.assessment
    JOIN competency_scores cs ON cs.organization_id = s.organization_id
                             AND cs.scoring_run_id = s.run_id;
    SELECT array_agg(org), array_agg(person) INTO candidate_orgs, candidate_people
    FROM (SELECT DISTINCT org, person FROM refresh_keys) c;
    PERFORM refresh_competency_totals(candidate_orgs, candidate_people);
    PERFORM refresh_latest_estimates(candidate_orgs, candidate_people);
END $$;

-- Estimates written, changed or removed: the newest estimate of their candidates.
CREATE FUNCTION latest_estimates_after_predictions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_latest_estimates(array_agg(k.organization_id), array_agg(k.candidate_id))
    FROM (SELECT DISTINCT a.organization_id, a.candidate_id
          FROM changed_predictions p
          JOIN attempts a ON a.organization_id = p.organization_id AND a.id = p.attempt_id) k
    HAVING count(*) > 0;
    RETURN NULL;
END $$;

CREATE TRIGGER latest_estimates_on_new_predictions AFTER INSERT ON readiness_predictions
    REFERENCING NEW TABLE AS changed_predictions
    FOR EACH STATEMENT EXECUTE FUNCTION latest_estimates_after_predictions();
CREATE TRIGGER latest_estimates_on_changed_predictions AFTER UPDATE ON readiness_predictions
    REFERENCING NEW TABLE AS changed_predictions
    FOR EACH STATEMENT EXECUTE FUNCTION latest_estimates_after_predictions();
CREATE TRIGGER latest_estimates_on_deleted_predictions AFTER DELETE ON readiness_predictions
    REFERENCING OLD TABLE AS changed_predictions
    FOR EACH STATEMENT EXECUTE FUNCTION latest_estimates_after_predictions();

-- What is already scored and estimated.
INSERT INTO latest_competency_totals (organization_id, candidate_id, competency_id, raw, max,
                                      provisional_max)
SELECT organization_id, candidate_id, competency_id, sum(raw), sum(max), sum(provisional_max)
FROM latest_competency_scores
GROUP BY organization_id, candidate_id, competency_id;
INSERT INTO latest_estimates (organization_id, candidate_id, prediction_id, probability,
                              model_version, provisional)
SELECT DISTINCT ON (l.organization_id, l.candidate_id)
       l.organization_id, l.candidate_id, rp.id, rp.probability, rp.model_version,
       rp.provisional
FROM latest_scores l
JOIN readiness_predictions rp
  ON rp.organization_id = l.organization_id AND rp.attempt_id = l.attempt_id
ORDER BY l.organization_id, l.candidate_id, rp.created_at DESC, rp.id DESC;
