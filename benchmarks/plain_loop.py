"""The baseline for apply throughput: the same POSTs with a bare `requests` loop, same concurrency."""

from __future__ import annotations

import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

TOKEN = "2af20011-8965-471b-8f6b-8b66a611aae6"


def main() -> None:
    url, public, private, board_id, count, concurrency = sys.argv[1:7]
    local = threading.local()

    def post(i: int) -> None:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
            session.auth = (public, private)
        body = {"request": {"push": {"pin": {"description": f"pin {i}", "picture": "https://cdn.example.com/p.jpg"}}}}
        response = session.post(
            f"{url}/push/identities/{TOKEN}/pinterest/board/{board_id}/pin.json", data=json.dumps(body), timeout=30
        )
        response.raise_for_status()

    started = time.perf_counter()
    with ThreadPoolExecutor(int(concurrency)) as pool:
        list(pool.map(post, range(int(count))))
    print(json.dumps({"seconds": time.perf_counter() - started}))


if __name__ == "__main__":
    main()
