"""Benchmark the organisation pages and the organisations API at DESIGN.md's scale, on PostgreSQL.

    .venv/bin/python bench/organisation_pages.py [--seconds 20] [--concurrency 2] [--workers 2]

Creates (and afterwards drops) the database `tongxin_bench`, fills it with 300 villages and
10,000 council members (bench/seed.py), serves the site with `tongxin serve` (gunicorn) and
a production environment, and drives it from a second process on loopback (bench/load.py).
Prints a table of p50/p95/p99 and writes it to bench/results/.

With --keep-database the ids the load needs are saved beside the results, so a later run with
--reuse-database measures the same data again without seeding it (and bench/profile_pages.py
can look inside one request of each page).
"""

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime
from pathlib import Path

import psycopg

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENV_BIN = Path(sys.executable).parent
SERVER = "postgres://postgres@127.0.0.1:5432"
DEFAULT_DATABASE = "tongxin_bench"


def ids_file(database: str) -> Path:
    return BENCH / "results" / f"{database}-ids.json"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_environment(data_dir: str, database: str) -> dict[str, str]:
    """Production settings, but plain HTTP: the load comes over loopback, not through a proxy."""
    return {
        **os.environ,
        "DATABASE_URL": f"{SERVER}/{database}",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "TONGXIN_DATA_DIR": data_dir,
        "LOG_LEVEL": "WARNING",
    }


def recreate_database(database: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {database}")


def drop_database(database: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def tongxin(*args: str, env: dict[str, str]) -> None:
    subprocess.run(
        [str(VENV_BIN / "tongxin"), *args], env=env, check=True, stdout=subprocess.DEVNULL
    )


def seed(env: dict[str, str], *, villages: int, members: int, residents: int) -> dict:
    result = subprocess.run(
        [
            sys.executable,
            str(BENCH / "seed.py"),
            "--villages",
            str(villages),
            "--members",
            str(members),
            "--residents",
            str(residents),
        ],
        env={**env, "DJANGO_SETTINGS_MODULE": "tongxin.settings"},
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def wait_until_serving(base: str, server: subprocess.Popen) -> None:
    for _ in range(100):
        if server.poll() is not None:
            raise SystemExit("tongxin serve stopped before it answered.")
        try:
            with urllib.request.urlopen(f"{base}/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"tongxin serve did not answer at {base} within 20 seconds.")


def scenarios(ids: dict) -> list[tuple[str, list[str], list[str]]]:
    """(name, paths taken in turn, headers). Each spreads over every village or council."""
    councils, villages = ids["councils"], ids["villages"]
    pages = ids["organisations"] // 100 + 1
    admin = [f"Authorization: Bearer {ids['token']}"]
    return [
        (
            "organisation page: council (33 members, composition report)",
            [f"/organisations/{pk}/" for pk in councils],
            [],
        ),
        ("organisation page: village", [f"/organisations/{pk}/" for pk in villages], []),
        ("organisations page (the tree)", ["/organisations/"], []),
        (
            "person page: a council member",
            [f"/people/{pk}/" for pk in ids["people"]],
            [],
        ),
        (
            "API: list organisations, 100 a page",
            [f"/api/v1/organisations?limit=100&offset={page * 100}" for page in range(pages)],
            [],
        ),
        (
            "API: list organisations within a town",
            [f"/api/v1/organisations?within={pk}&limit=100" for pk in ids["towns"]],
            [],
        ),
        (
            "API: read a council with its composition",
            [f"/api/v1/organisations/{pk}" for pk in councils],
            [],
        ),
        (
            "API: a council's members, as city admin",
            [f"/api/v1/organisations/{pk}/members?limit=100" for pk in councils],
            admin,
        ),
    ]


def measure(base: str, paths: list[str], headers: list[str], options: argparse.Namespace) -> dict:
    command = [
        sys.executable,
        str(BENCH / "load.py"),
        "--base",
        base,
        "--seconds",
        str(options.seconds),
        "--concurrency",
        str(options.concurrency),
    ]
    for header in headers:
        command += ["--header", header]
    result = subprocess.run([*command, *paths], check=True, capture_output=True, text=True)
    return json.loads(result.stdout)


def load_average() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def report(
    results: list[tuple[str, dict]], options: argparse.Namespace, ids: dict, loads: list[str]
) -> str:
    lines = [
        f"Tongxin benchmark, {datetime.now().isoformat(timespec='minutes')}: "
        f"{len(ids['villages'])} villages, "
        f"{ids.get('members', options.members)} council members, "
        f"{ids.get('residents', 0)} residents without a seat, "
        f"{ids['organisations']} organisations; PostgreSQL; "
        f"gunicorn with {options.workers} workers; "
        f"{options.concurrency} connections for {options.seconds:g} s.",
        f"Load average (1, 5, 15 min) before the first scenario: {loads[0]}; after the last: {loads[-1]}.",
        "",
        "| scenario | requests/s | p50 ms | p95 ms | p99 ms | failures |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, result in results:
        lines.append(
            f"| {name} | {result['per_second']} | {result['p50_ms']} | {result['p95_ms']} "
            f"| {result['p99_ms']} | {result['failures']} |"
        )
    return "\n".join(lines)


def prepare_database(options: argparse.Namespace, env: dict[str, str]) -> dict:
    """A filled database: seeded afresh, or the one a run with --keep-database left behind."""
    if options.reuse_database:
        return json.loads(ids_file(options.database).read_text())
    print(f"Creating {options.database} and filling it ...", file=sys.stderr)
    recreate_database(options.database)
    tongxin("migrate", env=env)
    ids = seed(env, villages=options.villages, members=options.members, residents=options.residents)
    ids.update(members=options.members, residents=options.residents)
    if options.keep_database:
        ids_file(options.database).parent.mkdir(exist_ok=True)
        ids_file(options.database).write_text(json.dumps(ids) + "\n")
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--villages", type=int, default=300)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--residents", type=int, default=0, help="people without a seat, besides")
    parser.add_argument("--database", default=DEFAULT_DATABASE, help="default: %(default)s")
    parser.add_argument(
        "--keep-database", action="store_true", help="Leave the database for a look or a rerun."
    )
    parser.add_argument(
        "--reuse-database",
        action="store_true",
        help="Measure the database a run with --keep-database left, without seeding it again.",
    )
    parser.add_argument(
        "--only", default="", help="Measure only the scenarios whose name contains this text."
    )
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tongxin-bench-") as data_dir:
        env = production_environment(data_dir, options.database)
        ids = prepare_database(options, env)
        tongxin("collectstatic", "--no-input", env=env)
        base = f"http://127.0.0.1:{free_port()}"
        server = subprocess.Popen(
            [
                str(VENV_BIN / "tongxin"),
                "serve",
                "--bind",
                base.removeprefix("http://"),
                "--workers",
                str(options.workers),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_serving(base, server)
            results, loads = [], [load_average()]
            for name, paths, headers in scenarios(ids):
                if options.only not in name:
                    continue
                print(f"Measuring: {name}", file=sys.stderr)
                results.append((name, measure(base, paths, headers, options)))
            loads.append(load_average())
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
            if not (options.keep_database or options.reuse_database):
                drop_database(options.database)

    table = report(results, options, ids, loads)
    print(table)
    save_results("organisation_pages", table, results)


def save_results(prefix: str, table: str, results: list) -> None:
    """The table and the raw figures in bench/results/ (not committed), stamped with the time."""
    (BENCH / "results").mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    (BENCH / "results" / f"{prefix}-{stamp}.md").write_text(table + "\n")
    (BENCH / "results" / f"{prefix}-{stamp}.json").write_text(json.dumps(dict(results), indent=2) + "\n")


if __name__ == "__main__":
    main()
