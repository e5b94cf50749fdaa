-- The one definition of "a candidate's latest scored attempt of each assessment", shared by
-- the readiness estimate, the profile and the norms: the most recently submitted attempt
-- that has a current scoring run (ties broken by start time, then id).
CREATE VIEW latest_scored_attempts AS
SELECT DISTINCT ON (a.organization_id, a.candidate_id, a.assessment_id)
       a.organization_id, a.candidate_id, a.assessment_id, a.id AS attempt_id, a.form_id,
       a.started_at, a.submitted_at, r.id AS run_id, r.content_version, r.scaled_score,
       r.passed, r.provisional, r.created_at AS scored_at
FROM attempts a
JOIN scoring_runs r ON r.organization_id = a.organization_id AND r.attempt_id = a.id
                   AND r.current
ORDER BY a.organization_id, a.candidate_id, a.assessment_id,
         a.submitted_at DESC NULLS LAST, a.started_at DESC, a.id DESC;

-- Indexes the hot queries need: a candidate's attempts and invitations, the candidate list,
-- and the provisional item scores the rating queue looks for.
CREATE INDEX attempts_by_candidate
    ON attempts (organization_id, candidate_id, assessment_id, submitted_at DESC);
CREATE INDEX invitations_by_candidate ON invitations (organization_id, candidate_id);
CREATE INDEX candidates_newest ON candidates (organization_id, created_at DESC, id);
CREATE INDEX item_scores_provisional ON item_scores (scoring_run_id) WHERE provisional;
CREATE INDEX ratings_by_response ON ratings (attempt_id, item_id);
