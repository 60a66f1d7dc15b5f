"""A small closed-loop HTTP load driver: N keep-alive connections, each sending its next request
as soon as the previous answer arrives. Prints latency percentiles as JSON.

    python bench/load.py --base http://127.0.0.1:8123 --seconds 20 --concurrency 2 /a/ /b/ ...

Paths are taken in turn, so a run spreads over many organisations instead of one cached page.
`--method POST --bodies FILE` sends the bodies of FILE (a JSON list of strings) in turn too, for
submissions, and `--turn-headers FILE` a header set per request in turn (each handler's own token
or session); `--expect 201` names the status that counts as success.
Standard library only: it runs in its own process, beside the server rather than inside it.
"""

import argparse
import http.client
import itertools
import json
import math
import statistics
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    rank = math.ceil(fraction * len(sorted_values))
    return sorted_values[max(rank, 1) - 1]


def read_json(path: str) -> list:
    return json.loads(Path(path).read_text())


def drive(
    *,
    host: str,
    port: int,
    paths: list[str],
    headers: dict[str, str],
    method: str,
    bodies: list[str],
    turn_headers: list[dict[str, str]],
    expect: int,
    until: float,
    warm_until: float,
    latencies: list[float],
    failures: list[str],
    turn: "itertools.count[int]",
    lock: threading.Lock,
) -> None:
    connection = http.client.HTTPConnection(host, port, timeout=30)
    while (started := time.perf_counter()) < until:
        with lock:
            number = next(turn)
        path = paths[number % len(paths)]
        body = bodies[number % len(bodies)].encode() if bodies else None
        extra = turn_headers[number % len(turn_headers)] if turn_headers else {}
        connection.request(method, path, body=body, headers={**headers, **extra})
        response = connection.getresponse()
        response.read()
        elapsed = time.perf_counter() - started
        if started < warm_until:
            continue
        if response.status != expect:
            failures.append(f"{response.status} {path}")
        latencies.append(elapsed)
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", required=True, help="http://host:port of the server")
    parser.add_argument(
        "--seconds", type=float, default=20.0, help="measured time, after the warm-up"
    )
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of requests not counted")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--header", action="append", default=[], help="Name: value, may repeat")
    parser.add_argument("--method", default="GET")
    parser.add_argument("--bodies", help="a JSON file: a list of request bodies, sent in turn")
    parser.add_argument(
        "--turn-headers",
        help="a JSON file: a list of {name: value} header sets, one per request in turn",
    )
    parser.add_argument("--expect", type=int, default=200, help="the status of a success")
    parser.add_argument("paths", nargs="+")
    options = parser.parse_args()

    base = urlsplit(options.base)
    headers = dict(header.split(": ", 1) for header in options.header)
    bodies = read_json(options.bodies) if options.bodies else []
    turn_headers = read_json(options.turn_headers) if options.turn_headers else []
    now = time.perf_counter()
    warm_until, until = now + options.warmup, now + options.warmup + options.seconds
    latencies: list[float] = []
    failures: list[str] = []
    turn, lock = itertools.count(), threading.Lock()
    threads = [
        threading.Thread(
            target=drive,
            kwargs={
                "host": base.hostname,
                "port": base.port,
                "paths": options.paths,
                "headers": headers,
                "method": options.method,
                "bodies": bodies,
                "turn_headers": turn_headers,
                "expect": options.expect,
                "until": until,
                "warm_until": warm_until,
                "latencies": latencies,
                "failures": failures,
                "turn": turn,
                "lock": lock,
            },
        )
        for _ in range(options.concurrency)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    ordered = sorted(latencies)
    milliseconds = [value * 1000 for value in ordered]
    print(
        json.dumps(
            {
                "requests": len(ordered),
                "failures": len(failures),
                "first_failures": failures[:5],
                "per_second": round(len(ordered) / options.seconds, 1),
                "mean_ms": round(statistics.fmean(milliseconds), 1) if ordered else None,
                "p50_ms": round(percentile(milliseconds, 0.50), 1) if ordered else None,
                "p95_ms": round(percentile(milliseconds, 0.95), 1) if ordered else None,
                "p99_ms": round(percentile(milliseconds, 0.99), 1) if ordered else None,
                "max_ms": round(milliseconds[-1], 1) if ordered else None,
            }
        )
    )


if __name__ == "__main__":
    main()
