-- Invitations may name a package of assessments (rubrics/packages.toml): the clerk screening
-- package holds five assessments, so the old limit of four is raised to eight, and the
-- package an invitation was created from is kept beside the assessments it resolved to.
ALTER TABLE invitations DROP CONSTRAINT invitations_assessments_check;
ALTER TABLE invitations ADD CONSTRAINT invitations_assessments_check
    CHECK (cardinality(assessments) BETWEEN 1 AND 8);
ALTER TABLE invitations ADD COLUMN package text
    CHECK (package IS NULL OR package ~ '^[a-z_]{2,40}$');
