"""Look inside the pages: one request at a time, in-process, on the database a benchmark run kept.

    .venv/bin/python bench/organisation_pages.py --database tongxin_bench_perf --keep-database
    .venv/bin/python bench/profile_pages.py --database tongxin_bench_perf [--repeat 30]
    .venv/bin/python bench/profile_pages.py --database tongxin_bench_perf --profile council

For each page: the queries one request makes, the time spent in PostgreSQL and the whole time
(medians over --repeat requests, taken in turn over every council, village or person, as the load
does), and the size of the answer. --profile NAME runs pyinstrument (not a dependency of Tongxin:
`.venv/bin/pip install pyinstrument`) over the requests of the pages whose name contains NAME.
Production settings (DEBUG off, compressed static files), through Django's whole request handler.
"""

import argparse
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
SERVER = "postgres://postgres@127.0.0.1:5432"


@dataclass(frozen=True)
class Page:
    name: str
    paths: list[str]
    headers: dict[str, str]


@dataclass(frozen=True)
class Measured:
    page: Page
    queries: int
    database_ms: float
    total_ms: float
    size: int


def pages(ids: dict[str, Any]) -> list[Page]:
    admin = {"Authorization": f"Bearer {ids['token']}"}
    return [
        Page("council page", [f"/organisations/{pk}/" for pk in ids["councils"]], {}),
        Page("village page", [f"/organisations/{pk}/" for pk in ids["villages"]], {}),
        Page("organisations tree", ["/organisations/"], {}),
        Page("person page", [f"/people/{pk}/" for pk in ids["people"]], {}),
        Page(
            "API list, 100 organisations",
            [f"/api/v1/organisations?limit=100&offset={page * 100}" for page in range(10)],
            {},
        ),
        Page("API council with composition", [f"/api/v1/organisations/{pk}" for pk in ids["councils"]], {}),
        Page(
            "API members, 33 with personal data",
            [f"/api/v1/organisations/{pk}/members?limit=100" for pk in ids["councils"]],
            admin,
        ),
    ]


class QueryClock:
    """Counts the queries that pass through the connection and the time they take."""

    def __init__(self) -> None:
        self.queries = 0
        self.seconds = 0.0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.queries += 1


def measure(client: Any, page: Page, repeat: int, language: str) -> Measured:
    from django.db import connection

    queries, database, totals, size = [], [], [], 0
    for turn in range(repeat):
        clock = QueryClock()
        with connection.execute_wrapper(clock):
            started = time.perf_counter()
            response = client.get(
                page.paths[turn % len(page.paths)], headers={**page.headers, "Accept-Language": language}
            )
            totals.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"{page.name}: {response.status_code} for {page.paths[turn % len(page.paths)]}")
        queries.append(clock.queries)
        database.append(clock.seconds)
        size = len(response.content)
    return Measured(
        page=page,
        queries=max(queries),
        database_ms=statistics.median(database) * 1000,
        total_ms=statistics.median(totals) * 1000,
        size=size,
    )


@contextmanager
def profiled(wanted: bool) -> Iterator[None]:
    if not wanted:
        yield
        return
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    try:
        yield
    finally:
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False), file=sys.stderr)


def set_up(database: str, data_dir: str) -> Any:
    """Django with the benchmark's production settings, its static files collected; a test client."""
    os.environ.update(
        {
            "DATABASE_URL": f"{SERVER}/{database}",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DEBUG": "0",
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "0",
            "TONGXIN_DATA_DIR": data_dir,
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "tongxin.settings",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("collectstatic", interactive=False, verbosity=0)
    return Client()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="tongxin_bench")
    parser.add_argument("--repeat", type=int, default=30, help="requests per page (default 30)")
    parser.add_argument("--language", default="zh-hans", help="Accept-Language sent (default zh-hans)")
    parser.add_argument("--profile", default="", help="profile the pages whose name contains this")
    options = parser.parse_args()
    ids = json.loads((BENCH / "results" / f"{options.database}-ids.json").read_text())

    with tempfile.TemporaryDirectory(prefix="tongxin-profile-") as data_dir:
        client = set_up(options.database, data_dir)
        for page in pages(ids):  # one round first: connections, caches and imports warm
            measure(client, page, 3, options.language)
        rows = []
        for page in pages(ids):
            with profiled(bool(options.profile) and options.profile in page.name):
                rows.append(measure(client, page, options.repeat, options.language))

    print("| page | queries | time in PostgreSQL | total | HTML or JSON |")
    print("|---|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row.page.name} | {row.queries} | {row.database_ms:.1f} ms | {row.total_ms:.1f} ms "
            f"| {row.size / 1000:.1f} kB |"
        )


if __name__ == "__main__":
    main()
