"""gunicorn's settings for the portal (`gunicorn -c config/gunicorn.conf.py config.wsgi`).

After a worker has loaded the portal, its objects (modules, URL patterns, templates,
translations: most of the heap) are moved out of the garbage collector's reach with
`gc.freeze()`. A full collection otherwise walks all of them again and again, and on the
bench machine that pause was the tail of every list's latency (docs/performance.md).
Nothing in them is garbage: they live as long as the worker.
"""

import gc


def post_worker_init(worker):
    gc.freeze()
