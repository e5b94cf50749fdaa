-- Coordinators archive cohorts they are done with: kept, but out of the working lists.
ALTER TABLE cohorts ADD COLUMN archived_at timestamptz;
CREATE INDEX cohort_members_candidate ON cohort_members (organization_id, candidate_id);
