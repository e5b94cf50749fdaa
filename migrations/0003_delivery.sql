-- Candidate delivery: per-section deadlines, resume position, tab detection, item views
-- (for the "implausibly fast" signal) and integrity events.

-- Where the candidate is (1-based item position on the form) and which browser tab most
-- recently claimed the attempt; saves from another tab are accepted but flagged to the UI.
ALTER TABLE attempts
    ADD COLUMN position    integer NOT NULL DEFAULT 1 CHECK (position BETWEEN 1 AND 1000),
    ADD COLUMN active_tab  text CHECK (length(active_tab) BETWEEN 8 AND 64);

-- The sweeper looks only at open attempts with a deadline.
CREATE INDEX attempts_open_deadline ON attempts (deadline_at)
    WHERE status = 'in_progress' AND deadline_at IS NOT NULL;

-- Sections run in order. Deadlines are cumulative from the attempt's start (time saved in an
-- early section carries over), already multiplied for accommodations; NULL = untimed.
-- A section accepts answers once entered and until it is closed or its deadline passes.
CREATE TABLE attempt_sections (
    organization_id uuid NOT NULL,
    attempt_id      uuid NOT NULL,
    section_id      text NOT NULL CHECK (length(section_id) BETWEEN 1 AND 40),
    ordinal         integer NOT NULL CHECK (ordinal >= 1),
    deadline_at     timestamptz,
    entered_at      timestamptz,
    closed_at       timestamptz,
    PRIMARY KEY (attempt_id, section_id),
    UNIQUE (attempt_id, ordinal),
    FOREIGN KEY (organization_id, attempt_id) REFERENCES attempts (organization_id, id)
        ON DELETE CASCADE
);

-- Which tab wrote the stored answer (last writer), for the second-tab banner.
ALTER TABLE responses ADD COLUMN tab_id text CHECK (length(tab_id) BETWEEN 8 AND 64);

-- First time the candidate saw each item: the base of the "implausibly fast" signal.
CREATE TABLE item_views (
    organization_id uuid NOT NULL,
    attempt_id      uuid NOT NULL,
    item_id         text NOT NULL CHECK (length(item_id) BETWEEN 1 AND 40),
    first_viewed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (attempt_id, item_id),
    FOREIGN KEY (organization_id, attempt_id) REFERENCES attempts (organization_id, id)
        ON DELETE CASCADE
);

-- Integrity signals: shown to staff as signals, never an automatic decision. Events of
-- accommodated candidates are stored with severity 'info' (never a flag).
CREATE TABLE integrity_events (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id uuid NOT NULL,
    attempt_id      uuid NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('focus_lost', 'tab_hidden', 'paste',
                                                  'fast_answer', 'second_tab')),
    severity        text NOT NULL CHECK (severity IN ('info', 'low', 'medium', 'high')),
    item_id         text CHECK (length(item_id) BETWEEN 1 AND 40),
    detail          jsonb NOT NULL DEFAULT '{}',
    accommodated    boolean NOT NULL DEFAULT false,
    at              timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, attempt_id) REFERENCES attempts (organization_id, id)
        ON DELETE CASCADE
);
CREATE INDEX integrity_events_attempt ON integrity_events (organization_id, attempt_id);
