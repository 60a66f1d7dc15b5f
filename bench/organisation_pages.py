"""Benchmark the organisation pages and the organisations API at DESIGN.md's scale, on PostgreSQL.

    .venv/bin/python bench/organisation_pages.py [--seconds 20] [--concurrency 2] [--workers 2]

Creates (and afterwards drops) the database `tongxin_bench`, fills it with 300 villages and
10,000 council members (bench/seed.py), serves the site with `tongxin serve` (gunicorn) and
a production environment, and drives it from a second process on loopback (bench/load.py).
Prints a table of p50/p95/p99 and writes it to bench/results/.
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
DATABASE = "tongxin_bench"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_environment(data_dir: str) -> dict[str, str]:
    """Production settings, but plain HTTP: the load comes over loopback, not through a proxy."""
    return {
        **os.environ,
        "DATABASE_URL": f"{SERVER}/{DATABASE}",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "TONGXIN_DATA_DIR": data_dir,
        "LOG_LEVEL": "WARNING",
    }


def recreate_database() -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE}")


def drop_database() -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def tongxin(*args: str, env: dict[str, str]) -> None:
    subprocess.run(
        [str(VENV_BIN / "tongxin"), *args], env=env, check=True, stdout=subprocess.DEVNULL
    )


def seed(env: dict[str, str], *, villages: int, members: int) -> dict:
    result = subprocess.run(
        [
            sys.executable,
            str(BENCH / "seed.py"),
            "--villages",
            str(villages),
            "--members",
            str(members),
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


def report(results: list[tuple[str, dict]], options: argparse.Namespace, ids: dict) -> str:
    lines = [
        f"Tongxin benchmark, {datetime.now().isoformat(timespec='minutes')}: "
        f"{len(ids['villages'])} villages, "
        f"{options.members} council members, {ids['organisations']} organisations; PostgreSQL; "
        f"gunicorn with {options.workers} workers; "
        f"{options.concurrency} connections for {options.seconds:g} s.",
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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--villages", type=int, default=300)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument(
        "--keep-database", action="store_true", help="Leave tongxin_bench for a look afterwards."
    )
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tongxin-bench-") as data_dir:
        env = production_environment(data_dir)
        print(f"Creating {DATABASE} and filling it ...", file=sys.stderr)
        recreate_database()
        tongxin("migrate", env=env)
        tongxin("collectstatic", "--no-input", env=env)
        ids = seed(env, villages=options.villages, members=options.members)
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
            results = []
            for name, paths, headers in scenarios(ids):
                print(f"Measuring: {name}", file=sys.stderr)
                results.append((name, measure(base, paths, headers, options)))
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
            if not options.keep_database:
                drop_database()

    table = report(results, options, ids)
    print(table)
    (BENCH / "results").mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    (BENCH / "results" / f"organisation_pages-{stamp}.md").write_text(table + "\n")
    (BENCH / "results" / f"organisation_pages-{stamp}.json").write_text(
        json.dumps(dict(results), indent=2) + "\n"
    )


if __name__ == "__main__":
    main()
