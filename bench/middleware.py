"""Count the database queries of each request (bench settings only)."""

from django.db import connections


class QueryCountMiddleware:
    """Answer every request with `X-Bench-Queries`: the queries it ran on any connection.

    Counted with `execute_wrapper`, so it works with DEBUG off (no query log) and
    counts what the middleware below it runs too (session, user, messages).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        wrappers = [connection.execute_wrapper(counter) for connection in connections.all()]
        for wrapper in wrappers:
            wrapper.__enter__()
        try:
            response = self.get_response(request)
        finally:
            for wrapper in reversed(wrappers):
                wrapper.__exit__(None, None, None)
        response["X-Bench-Queries"] = str(count)
        return response
