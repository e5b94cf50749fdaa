"""The overview's three aggregations in SQL (run by ``overview.cohort_overview``).

Each reads the scope ($1 organization, $2 cohort or none) narrowed by assessment ($3) and
submission time ($4 inclusive, $5 exclusive). Scores come from the trigger-kept read model
of the latest scored attempts (migration 0019); when nothing narrows the attempts, each
candidate's pooled competency sums and newest estimate are read ready-made (migration 0020)
instead of being pooled on the spot.
"""

from __future__ import annotations

# Scope: the candidates ($1 organization, $2 cohort or all), then their latest scored attempts
# narrowed by assessment ($3) and submission time ($4 inclusive, $5 exclusive).
_PEOPLE = """people AS MATERIALIZED (
    SELECT m.candidate_id AS id FROM cohort_members m
    WHERE $2::uuid IS NOT NULL AND m.organization_id = $1 AND m.cohort_id = $2
    UNION ALL
    SELECT c.id FROM candidates c WHERE $2::uuid IS NULL AND c.organization_id = $1
)"""
_LATEST = """latest AS MATERIALIZED (
    SELECT l.candidate_id, l.assessment_id, l.attempt_id, l.form_id, l.run_id,
           l.scaled_score, l.passed, l.provisional
    FROM latest_scores l JOIN people p ON p.id = l.candidate_id
    WHERE l.organization_id = $1 AND ($3::text IS NULL OR l.assessment_id = $3)
      AND ($4::timestamptz IS NULL OR l.submitted_at >= $4)
      AND ($5::timestamptz IS NULL OR l.submitted_at < $5)
)"""
_UNFILTERED = "$3::text IS NULL AND $4::timestamptz IS NULL AND $5::timestamptz IS NULL"

# Each candidate's competency percents pooled over their latest scored attempts: summed here
# when an assessment or a date narrows the attempts, read ready-summed (migration 0020) when
# every latest attempt counts.
_COMP_NARROWED = """comp AS MATERIALIZED (
    SELECT cs.candidate_id, cs.competency_id,
           100.0 * sum(cs.raw) / sum(cs.max) AS percent, sum(cs.provisional_max) > 0 AS prov
    FROM latest_competency_scores cs JOIN people p ON p.id = cs.candidate_id
    WHERE cs.organization_id = $1 AND ($3::text IS NULL OR cs.assessment_id = $3)
      AND ($4::timestamptz IS NULL OR cs.submitted_at >= $4)
      AND ($5::timestamptz IS NULL OR cs.submitted_at < $5)
    GROUP BY cs.candidate_id, cs.competency_id
)"""
_COMP_POOLED = f"""comp AS MATERIALIZED (
    SELECT t.candidate_id, t.competency_id, 100.0 * t.raw / t.max AS percent,
           t.provisional_max > 0 AS prov
    FROM latest_competency_totals t JOIN people p ON p.id = t.candidate_id
    WHERE t.organization_id = $1 AND {_UNFILTERED}
)"""  # noqa: S608 - constant SQL

# Each candidate's newest readiness estimate among their latest scored attempts (the same
# two ways).
_ESTIMATE_NARROWED = """estimate AS MATERIALIZED (
    SELECT DISTINCT ON (l.candidate_id) l.candidate_id, rp.probability, rp.model_version,
           rp.provisional AS prov
    FROM latest l
    JOIN readiness_predictions rp ON rp.organization_id = $1 AND rp.attempt_id = l.attempt_id
    ORDER BY l.candidate_id, rp.created_at DESC, rp.id DESC
)"""
_ESTIMATE_POOLED = f"""estimate AS MATERIALIZED (
    SELECT e.candidate_id, e.probability, e.model_version, e.provisional AS prov
    FROM latest_estimates e JOIN people p ON p.id = e.candidate_id
    WHERE e.organization_id = $1 AND {_UNFILTERED}
)"""  # noqa: S608 - constant SQL

_COMPETENCY_SQL = """
WITH {people}, {comp}, heat_people AS (
    SELECT c.id, c.family_name || ', ' || c.given_name AS name,
           row_number() OVER (ORDER BY c.family_name, c.given_name, c.id) AS ord
    FROM candidates c
    WHERE c.organization_id = $1 AND c.id IN (SELECT candidate_id FROM comp)
    ORDER BY c.family_name, c.given_name, c.id
    LIMIT $6 OFFSET $7
), heat AS (
    SELECT h.id, h.name, h.ord,
           jsonb_object_agg(c.competency_id, jsonb_build_array(c.percent, c.prov)) AS cells
    FROM comp c JOIN heat_people h ON h.id = c.candidate_id
    GROUP BY h.id, h.name, h.ord
), spread AS (
    -- each competency's percents as (value, provisional, candidates): few distinct values,
    -- so the cut (known only once the forms are) is applied exactly in Python
    SELECT competency_id, percent, prov, count(*) AS k FROM comp GROUP BY 1, 2, 3
)
SELECT
  (SELECT coalesce(jsonb_agg(jsonb_build_object('id', competency_id, 'mean', mean, 'n', n,
                                                'prov', prov, 'spread', spread)), '[]')
   FROM (SELECT competency_id, sum(percent * k) / sum(k) AS mean, sum(k) AS n,
                sum(k) FILTER (WHERE prov) AS prov,
                jsonb_agg(jsonb_build_array(percent, k)) AS spread
         FROM spread GROUP BY competency_id) m) AS competencies,
  (SELECT count(*) FROM (SELECT DISTINCT candidate_id FROM comp) c) AS heat_total,
  (SELECT coalesce(jsonb_agg(jsonb_build_object('id', id, 'name', name, 'cells', cells)
                             ORDER BY ord), '[]')
   FROM heat) AS heat_rows
"""

_READINESS_SQL = """
WITH {people}, {latest}, {estimate}, banded AS (
    SELECT e.*, CASE WHEN e.probability >= $6 THEN 'ready'
                     WHEN e.probability >= $7 THEN 'nearly_ready' ELSE 'not_yet' END AS band
    FROM estimate e
)
SELECT
  (SELECT coalesce(jsonb_agg(jsonb_build_object('band', band, 'n', n, 'prov', prov)), '[]')
   FROM (SELECT band, count(*) AS n, count(*) FILTER (WHERE prov) AS prov
         FROM banded GROUP BY band) b) AS bands,
  (SELECT coalesce(jsonb_agg(jsonb_build_object('version', u.model_version,
                                                'provenance', m.provenance, 'n', u.n)
                             ORDER BY u.model_version), '[]')
   FROM (SELECT model_version, count(*) AS n FROM estimate GROUP BY 1) u
   JOIN readiness_models m ON m.version = u.model_version) AS models,
  (SELECT coalesce(jsonb_agg(jsonb_build_object('id', assessment_id, 'n', n, 'passed', passed,
              'prov', prov, 'mean', mean, 'bins', bins)), '[]')
   FROM (SELECT assessment_id, sum(k) AS n, sum(kp) AS prov, sum(kpass) AS passed,
                sum(total) / sum(k) AS mean, jsonb_object_agg(bin, jsonb_build_array(k, kp)) AS bins
         FROM (SELECT assessment_id,
                      least(width_bucket(scaled_score, $8::float8, $9::float8, $10), $10) AS bin,
                      count(*) AS k, count(*) FILTER (WHERE provisional) AS kp,
                      count(*) FILTER (WHERE passed) AS kpass, sum(scaled_score) AS total
               FROM latest GROUP BY 1, 2) per_bin
         GROUP BY assessment_id) d) AS distributions,
  (SELECT coalesce(array_agg(form_id), '{{}}') FROM (SELECT DISTINCT form_id FROM latest) f)
      AS forms,
  (SELECT count(*) FROM (SELECT DISTINCT candidate_id FROM latest) c) AS scored
"""

QUERIES = {
    pooled: (
        _COMPETENCY_SQL.format(people=_PEOPLE, comp=_COMP_POOLED if pooled else _COMP_NARROWED),
        _READINESS_SQL.format(
            people=_PEOPLE,
            latest=_LATEST,
            estimate=_ESTIMATE_POOLED if pooled else _ESTIMATE_NARROWED,
        ),
    )
    for pooled in (True, False)
}
"""(competency query, readiness query) by whether every latest attempt counts."""


ACTIVITY_SQL = f"""
WITH {_PEOPLE}, inv AS MATERIALIZED (
    SELECT i.id, i.candidate_id,
           CASE WHEN $3::text IS NULL THEN cardinality(i.assessments) ELSE 1 END AS needed
    FROM invitations i JOIN people p ON p.id = i.candidate_id
    WHERE i.organization_id = $1 AND i.revoked_at IS NULL
      AND ($3::text IS NULL OR $3 = ANY (i.assessments))
      AND ($4::timestamptz IS NULL OR i.created_at >= $4)
      AND ($5::timestamptz IS NULL OR i.created_at < $5)
), inv_state AS (
    SELECT inv.candidate_id, inv.needed, count(a.id) AS began,
           count(a.id) FILTER (WHERE a.status IN ('submitted', 'scored', 'expired')) AS done
    FROM inv LEFT JOIN attempts a
      ON a.organization_id = $1 AND a.invitation_id = inv.id
     AND ($3::text IS NULL OR a.assessment_id = $3)
    GROUP BY inv.id, inv.candidate_id, inv.needed
), done AS (
    SELECT (a.submitted_at AT TIME ZONE 'UTC')::date AS day, count(*) AS n
    FROM attempts a JOIN people p ON p.id = a.candidate_id
    WHERE a.organization_id = $1 AND a.status IN ('submitted', 'scored', 'expired')
      AND a.submitted_at IS NOT NULL AND ($3::text IS NULL OR a.assessment_id = $3)
      AND ($4::timestamptz IS NULL OR a.submitted_at >= $4)
      AND ($5::timestamptz IS NULL OR a.submitted_at < $5)
    GROUP BY 1
)
SELECT
  (SELECT jsonb_build_object(
       'invited', count(DISTINCT candidate_id),
       'started', count(DISTINCT candidate_id) FILTER (WHERE began > 0),
       'completed', count(DISTINCT candidate_id) FILTER (WHERE done >= needed))
   FROM inv_state) AS funnel,
  (SELECT coalesce(jsonb_agg(jsonb_build_array(day, n) ORDER BY day), '[]') FROM done)
      AS progress
"""  # noqa: S608 - constant SQL
