-- Linear (or mean) equating of each parallel form onto its assessment's reference form,
-- fitted from scored attempts under the random-groups design (forms are assigned in balance),
-- per content version. Until a form has one, it is scaled with its own Angoff cut.
CREATE TABLE form_equatings (
    content_version    text NOT NULL REFERENCES content_versions (id),
    form_id            text NOT NULL CHECK (form_id ~ '^[a-z_]{2,40}-[a-z]$'),
    reference_form_id  text NOT NULL CHECK (reference_form_id ~ '^[a-z_]{2,40}-[a-z]$'),
    method             text NOT NULL CHECK (method IN ('mean', 'linear')),
    slope              double precision NOT NULL CHECK (slope > 0),
    intercept          double precision NOT NULL,
    n_form             integer NOT NULL CHECK (n_form >= 2),
    n_reference        integer NOT NULL CHECK (n_reference >= 2),
    fitted_by          text NOT NULL,
    fitted_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (content_version, form_id),
    CHECK (form_id <> reference_form_id)
);
