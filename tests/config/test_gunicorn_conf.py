"""gunicorn's settings file: what a worker does once it has loaded the portal."""

import gc
import runpy
from pathlib import Path

CONF = Path(__file__).resolve().parents[2] / "config" / "gunicorn.conf.py"


def test_a_loaded_worker_puts_the_portals_objects_out_of_the_collectors_reach():
    hooks = runpy.run_path(str(CONF))
    before = gc.get_freeze_count()
    try:
        hooks["post_worker_init"](worker=None)

        assert gc.get_freeze_count() > before
        assert gc.get_freeze_count() > len(gc.get_objects())  # most of the heap is frozen
    finally:
        gc.unfreeze()
