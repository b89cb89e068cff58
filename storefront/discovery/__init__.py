"""Fair discovery (the "climbing mechanism"): base exposure for every new work (a good or a
short video), promotion by interest and conversion, and exposure bounded by a Gini cap and
an ordinary-merchant floor over all of a merchant's works.

Design: docs/discovery.md. `allocator.py` is pure (no Django) so the Celery task and
`manage.py simulate_discovery` run exactly the same rules.
"""
