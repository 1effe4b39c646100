#!/usr/bin/python3
"""Steady requests while something is replaced under them (an upgrade).

    /usr/bin/python3 Tests/deploy/load.py URL SECONDS [--workers N] [--interval S] [--ca FILE] [--ready FILE]

GETs URL from N threads (4) for SECONDS, each request on a fresh connection, each
thread waiting S seconds (0) between its requests (to stay under a rate limit), and
prints how many got which status. Creates the file named by --ready after the first
answer, so a caller knows the load is flowing. Exits 1 if any request failed or did
not answer 200, 2 if none was made.
"""

import argparse
import collections
import threading
import time

import requests


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("seconds", type=float)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--interval", type=float, default=0.0)
    parser.add_argument("--ca")
    parser.add_argument("--ready")
    arguments = parser.parse_args()

    counts = collections.Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + arguments.seconds
    ready = threading.Event()

    def worker():
        while time.monotonic() < deadline:
            try:
                status = requests.get(arguments.url, timeout=15, verify=arguments.ca or True,
                                      headers={"Connection": "close"}).status_code
                outcome = str(status)
            except requests.RequestException as error:
                outcome = type(error).__name__
            with lock:
                counts[outcome] += 1
            if not ready.is_set():
                ready.set()
                if arguments.ready:
                    open(arguments.ready, "w").close()
            if arguments.interval:
                time.sleep(arguments.interval)

    threads = [threading.Thread(target=worker) for _ in range(arguments.workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    total = sum(counts.values())
    print(f"{total} requests: " + ", ".join(f"{count} {outcome}" for outcome, count in sorted(counts.items())))
    if total == 0:
        return 2
    return 0 if counts["200"] == total else 1


if __name__ == "__main__":
    raise SystemExit(main())
