-- The candidate's journey (issue 10).
--
-- Use of the code look-up tool beside code-entry items, recorded with the attempt: each
-- search (its words and how many codes matched) and each code opened.
CREATE TABLE code_lookups (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id  uuid NOT NULL,
    attempt_id       uuid NOT NULL,
    item_id          text CHECK (item_id IS NULL OR item_id ~ '^[A-Za-z0-9_-]{1,40}$'),
    action           text NOT NULL CHECK (action IN ('search', 'view')),
    query            text NOT NULL CHECK (length(query) BETWEEN 1 AND 100),
    results          integer NOT NULL CHECK (results >= 0),
    at               timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, attempt_id) REFERENCES attempts (organization_id, id)
        ON DELETE CASCADE
);
CREATE INDEX code_lookups_attempt ON code_lookups (attempt_id, id);

-- When the attempt's active tab last showed it was open (a status poll or its claim; NULL
-- once the tab said it was closing). A new tab counts as a "second tab" signal only while
-- the previous one is still open: reopening the link later is allowed and not a signal.
ALTER TABLE attempts ADD COLUMN active_tab_seen_at timestamptz;
