"""`make bench`: seed a scale into PostgreSQL, serve it with gunicorn, load it, report.

See docs/performance.md for the method and the results.
"""
