"""Statistics over an organization's stored data: item analysis per form, DIF per item,
bias audits (live and stored), their CSV tables and the publishable audit summary.

This package reads the database (scored attempts, self-reported demographics, readiness
estimates, hiring outcomes) and hands arrays to the pure ``service.statistics``; the staff
face, the dashboard and the command line call its functions and get Structs back.
"""
