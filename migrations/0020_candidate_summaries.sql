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

-- The (organization, candidate) pairs of two parallel arrays, each once.
CREATE FUNCTION candidate_keys(orgs uuid[], people uuid[])
RETURNS TABLE (org uuid, person uuid) LANGUAGE sql IMMUTABLE AS $$
    SELECT DISTINCT u.org, u.person FROM unnest(orgs, people) AS u(org, person);
$$;

CREATE FUNCTION lock_candidates(orgs uuid[], people uuid[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM candidates c
    JOIN candidate_keys(orgs, people) k ON c.organization_id = k.org AND c.id = k.person
    ORDER BY c.organization_id, c.id
    FOR NO KEY UPDATE OF c;
END $$;

CREATE FUNCTION refresh_competency_totals(orgs uuid[], people uuid[])
RETURNS void LANGUAGE sql AS $$
    SELECT lock_candidates(orgs, people);
    DELETE FROM latest_competency_totals t USING candidate_keys(orgs, people) k
    WHERE t.organization_id = k.org AND t.candidate_id = k.person;
    INSERT INTO latest_competency_totals (organization_id, candidate_id, competency_id, raw,
                                          max, provisional_max)
    SELECT cs.organization_id, cs.candidate_id, cs.competency_id, sum(cs.raw), sum(cs.max),
           sum(cs.provisional_max)
    FROM latest_competency_scores cs
    JOIN candidate_keys(orgs, people) k
      ON cs.organization_id = k.org AND cs.candidate_id = k.person
    GROUP BY cs.organization_id, cs.candidate_id, cs.competency_id;
$$;

CREATE FUNCTION refresh_latest_estimates(orgs uuid[], people uuid[])
RETURNS void LANGUAGE sql AS $$
    SELECT lock_candidates(orgs, people);
    DELETE FROM latest_estimates e USING candidate_keys(orgs, people) k
    WHERE e.organization_id = k.org AND e.candidate_id = k.person;
    INSERT INTO latest_estimates (organization_id, candidate_id, prediction_id, probability,
                                  model_version, provisional)
    SELECT DISTINCT ON (l.organization_id, l.candidate_id)
           l.organization_id, l.candidate_id, rp.id, rp.probability, rp.model_version,
           rp.provisional
    FROM latest_scores l
    JOIN candidate_keys(orgs, people) k
      ON l.organization_id = k.org AND l.candidate_id = k.person
    JOIN readiness_predictions rp
      ON rp.organization_id = l.organization_id AND rp.attempt_id = l.attempt_id
    ORDER BY l.organization_id, l.candidate_id, rp.created_at DESC, rp.id DESC;
$$;

-- 0019's refresh of many keys keeps its work (the rows of latest_scores and
-- latest_competency_scores) under a new name; the old name, which 0019's triggers call, now
-- takes the candidates' turns first and refreshes their totals and estimates after.
ALTER FUNCTION refresh_latest_scores_keys(uuid[], uuid[], text[])
    RENAME TO refresh_latest_score_rows;

CREATE FUNCTION refresh_latest_scores_keys(orgs uuid[], people uuid[], assessments text[])
RETURNS void LANGUAGE sql AS $$
    SELECT lock_candidates(orgs, people);
    SELECT refresh_latest_score_rows(orgs, people, assessments);
    SELECT refresh_competency_totals(orgs, people);
    SELECT refresh_latest_estimates(orgs, people);
$$;

-- An attempt's times changed (0019 refreshed its one key directly): the same way as the rest.
CREATE OR REPLACE FUNCTION latest_scores_after_attempt() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_latest_scores_keys(ARRAY[NEW.organization_id], ARRAY[NEW.candidate_id],
                                       ARRAY[NEW.assessment_id]);
    RETURN NULL;
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
