"""Fair discovery (the "climbing mechanism"): base exposure for every new product, promotion
by conversion, and exposure bounded by a Gini cap and an ordinary-merchant floor.

Design: docs/discovery.md. `allocator.py` is pure (no Django) so the Celery task and
`manage.py simulate_discovery` run exactly the same rules.
"""
