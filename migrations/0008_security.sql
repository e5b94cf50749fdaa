-- Security fixes (issue 11).

-- Integrity events reported by a candidate's page are capped per attempt; the cap is taken
-- by the same statement that inserts (an UPDATE of this counter guarded by the cap), so
-- concurrent reports can never exceed it.
ALTER TABLE attempts
    ADD COLUMN page_events integer NOT NULL DEFAULT 0 CHECK (page_events >= 0);
UPDATE attempts a SET page_events = (SELECT count(*) FROM integrity_events e
                                     WHERE e.attempt_id = a.id AND e.kind <> 'fast_answer');
