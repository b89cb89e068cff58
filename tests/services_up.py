"""Exit 0 when the PostgreSQL and Redis of the given URLs answer; used by `make test-postgres`.

    python -m tests.services_up DATABASE_URL BROKER_URL

Each service that does not answer is named on standard error, so a skipped run says why.
"""

import socket
import sys
from urllib.parse import urlsplit

DEFAULT_PORTS = {"postgres": 5432, "postgresql": 5432, "redis": 6379}


def address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or DEFAULT_PORTS.get(parts.scheme, 0)


def answers(url: str, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection(address(url), timeout=timeout):
            return True
    except OSError:
        return False


def main(urls: list[str]) -> int:
    down = [url for url in urls if not answers(url)]
    for url in down:
        host, port = address(url)
        print(f"not answering: {urlsplit(url).scheme} at {host}:{port}", file=sys.stderr)
    return 1 if down else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
