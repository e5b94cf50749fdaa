-- The coordinator's overview (issue 16) aggregates a whole cohort in one query. These let it
-- read narrow index entries instead of wide rows:
-- * each estimate says whether it was made while written answers awaited rating (a stored
--   flag derived from its explanation), so the newest estimate per candidate, its band and
--   provenance come from an index-only scan;
-- * competency scores of a run are read with their figures from the index.
ALTER TABLE readiness_predictions
    ADD COLUMN provisional boolean NOT NULL GENERATED ALWAYS AS (
        CASE WHEN jsonb_typeof(explanation -> 'awaiting_rating') = 'array'
             THEN jsonb_array_length(explanation -> 'awaiting_rating') > 0
             ELSE false END) STORED;
CREATE INDEX readiness_predictions_newest
    ON readiness_predictions (organization_id, attempt_id, created_at DESC, id DESC)
    INCLUDE (probability, model_version, provisional);
CREATE INDEX competency_scores_figures
    ON competency_scores (scoring_run_id) INCLUDE (competency_id, raw, max, provisional_max);
