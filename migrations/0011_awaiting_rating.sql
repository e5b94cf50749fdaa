-- A provisional (machine-read) constructed-response score never decides pass/fail or
-- readiness. scoring_runs.awaiting_rating: the result depends on ratings not yet final
-- (then passed is false). competency_scores.provisional_raw/_max: the part of raw/max from
-- items awaiting rating, which readiness estimates and profiles leave out until then.
ALTER TABLE scoring_runs
    ADD COLUMN awaiting_rating boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT scoring_runs_awaiting_needs_provisional
        CHECK (NOT awaiting_rating OR (provisional AND NOT passed));
ALTER TABLE competency_scores
    ADD COLUMN provisional_raw double precision NOT NULL DEFAULT 0 CHECK (provisional_raw >= 0),
    ADD COLUMN provisional_max double precision NOT NULL DEFAULT 0 CHECK (provisional_max >= 0),
    ADD CONSTRAINT competency_scores_provisional_within
        CHECK (provisional_raw <= provisional_max AND provisional_max <= max
               AND provisional_raw <= raw);
