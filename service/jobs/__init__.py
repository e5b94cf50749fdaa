"""Background work on one engine: procrastinate, a PostgreSQL-backed task queue.

One job module per concern (``profiles``, ``expiry``, ``maintenance``), each a procrastinate
``Blueprint``; ``app.job_app`` registers them all on one ``App`` whose connector uses the
service's own database. Jobs deferred inside a request's transaction (``defer.defer``) run
only if it commits. Workers run in the web process (``serve``/``demo``) or on their own
(``chartready worker``), on any number of machines.
"""
