"""Benchmark the duty rota's team-week pages with a year of duty weeks, on PostgreSQL, each figure
also as a ratio to a bare Django view measured in the same run.

    .venv/bin/python bench/duty_pages.py [--seconds 20] [--keep-database]
    .venv/bin/python bench/duty_pages.py --reuse-database [--only bulletin]

Creates (and afterwards drops, unless --keep-database) the database `tongxin_bench_duty`, fills it
with the city of bench/seed.py and a year of duty rotas and their teams' records
(bench/duty_seed.py), serves the site with `tongxin serve` (gunicorn) and the production settings,
plus /bench/bare/ (bench/bench_urls.py), and drives it from a second process on loopback
(bench/load.py). Prints p50/p95/p99 per scenario and their ratio to the bare view's, and writes
them to bench/results/.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from case_pages import BARE, ratio, serve_and_measure, sign_in
from organisation_pages import (
    BENCH,
    drop_database,
    production_environment,
    recreate_database,
    save_results,
    seed,
    tongxin,
)

DEFAULT_DATABASE = "tongxin_bench_duty"
POSTER_VILLAGES = 30  # WeasyPrint takes a good part of a second a poster: a town's worth


def ids_file(database: str) -> Path:
    return BENCH / "results" / f"{database}-ids.json"


def seed_duty(env: dict[str, str], options: argparse.Namespace) -> dict:
    started = time.monotonic()
    result = subprocess.run(
        [
            sys.executable,
            str(BENCH / "duty_seed.py"),
            "--pool",
            str(options.pool),
            "--weeks",
            str(options.weeks),
            "--past",
            str(options.past),
        ],
        env={**env, "DJANGO_SETTINGS_MODULE": "tongxin.settings"},
        check=True,
        capture_output=True,
        text=True,
    )
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    summary["seconds_to_seed_duty"] = round(time.monotonic() - started)
    return summary


def prepare_database(options: argparse.Namespace, env: dict[str, str]) -> dict:
    """A filled database: seeded afresh, or the one a run with --keep-database left behind."""
    if options.reuse_database:
        return json.loads(ids_file(options.database).read_text())
    print(f"Creating {options.database} and filling it (a few minutes) ...", file=sys.stderr)
    recreate_database(options.database)
    tongxin("migrate", env=env)
    started = time.monotonic()
    ids = seed(env, villages=options.villages, members=options.members, residents=0)
    ids["seconds_to_seed_city"] = round(time.monotonic() - started)
    ids.update(seed_duty(env, options))
    if options.keep_database:
        ids_file(options.database).parent.mkdir(exist_ok=True)
        ids_file(options.database).write_text(json.dumps(ids) + "\n")
    return ids


def scenarios(ids: dict, sessions: dict[str, str]) -> list[dict]:
    """Each: name, paths taken in turn, and per turn the headers (the town administrator's cookie
    or token for the village's town)."""
    villages, weeks = ids["villages"], ids["current_weeks"]
    town_of = dict(zip(ids["towns"], ids["admins"], strict=True))
    token_of = dict(zip(ids["towns"], ids["admin_tokens"], strict=True))
    village_cookie = [
        {"Cookie": f"sessionid={sessions[town_of[town]]}"} for town in ids["village_towns"]
    ]
    village_token = [{"Authorization": f"Bearer {token_of[town]}"} for town in ids["village_towns"]]
    return [
        {"name": BARE, "paths": ["/bench/bare/"]},
        {
            "name": "bulletin page (public), each village",
            "paths": [f"/villages/{pk}/duty/bulletin/" for pk in villages],
        },
        {
            "name": "API: bulletin (public), each village",
            "paths": [f"/api/v1/villages/{pk}/duty/bulletin" for pk in villages],
        },
        {
            "name": "bulletin kiosk (public), each village",
            "paths": [f"/villages/{pk}/duty/bulletin/kiosk/" for pk in villages],
        },
        {
            "name": "team's week page as the town admin, current week",
            "paths": [
                f"/duty/weeks/{week}/villages/{pk}/"
                for week, pk in zip(weeks, villages, strict=True)
            ],
            "turn_headers": village_cookie,
        },
        {
            "name": "API: team's ledger as the town admin, current week",
            "paths": [
                f"/api/v1/duty/weeks/{week}/villages/{pk}/ledger"
                for week, pk in zip(weeks, villages, strict=True)
            ],
            "turn_headers": village_token,
        },
        {
            "name": "statistics page as the town admin (a year)",
            "paths": [f"/organisations/{town}/duty/statistics/" for town in ids["towns"]],
            "turn_headers": [{"Cookie": f"sessionid={sessions[admin]}"} for admin in ids["admins"]],
        },
        {
            "name": "poster PDF (WeasyPrint), a town's villages",
            "paths": [
                f"/villages/{pk}/duty/bulletin/poster.pdf" for pk in villages[:POSTER_VILLAGES]
            ],
        },
    ]


def report(
    results: list[tuple[str, dict]], options: argparse.Namespace, ids: dict, loads: list[str]
) -> str:
    bare = dict(results).get(BARE, {})
    lines = [
        (
            f"Tongxin duty benchmark, {datetime.now().isoformat(timespec='minutes')}: "
            f"{len(ids['towns'])} towns, {len(ids['villages'])} villages, {ids['volunteers']:,} volunteers, "
            f"{ids['turns']:,} turns over {ids['weeks_with_records'] // len(ids['towns'])} weeks begun "
            f"(rotas from {ids['rota_start']}), {ids['meetings']:,} meetings, {ids['duty_cases']:,} duty cases "
            f"({ids['duty_cases_open']:,} open), {ids['diary_entries']:,} diary entries; PostgreSQL; "
            f"gunicorn with {options.workers} workers; {options.concurrency} connections for "
            f"{options.seconds:g} s per scenario."
        ),
        f"Load average (1, 5, 15 min) before the first scenario: {loads[0]}; after the last: {loads[-1]}.",
        "",
        "| scenario | requests/s | p50 ms | p95 ms | p99 ms | p50 ÷ bare | p95 ÷ bare | p99 ÷ bare | failures |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, result in results:
        if result["failures"] == result["requests"] and result["requests"]:
            first = result["first_failures"][0] if result["first_failures"] else ""
            lines.append(f"| {name} | not measured: every request failed ({first}) | | | | | | | |")
            continue
        figures = [result[key] for key in ("per_second", "p50_ms", "p95_ms", "p99_ms")]
        ratios = [ratio(result[key], bare.get(key)) for key in ("p50_ms", "p95_ms", "p99_ms")]
        lines.append(
            f"| {' | '.join([name, *map(str, figures), *ratios, str(result['failures'])])} |"
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
    parser.add_argument("--pool", type=int, default=250, help="volunteers per town")
    parser.add_argument("--weeks", type=int, default=52, help="weeks of each town's rota")
    parser.add_argument(
        "--past", type=int, default=40, help="weeks of the rota before the current one"
    )
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
        "--only",
        default="",
        help="Measure only the scenarios whose name contains this text (and the bare view).",
    )
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tongxin-bench-") as data_dir:
        env = production_environment(data_dir, options.database)
        try:
            ids = prepare_database(options, env)
        except BaseException:
            if not options.keep_database and not options.reuse_database:
                drop_database(options.database)
            raise
        tongxin("collectstatic", "--no-input", env=env)
        sessions = dict(zip(ids["admins"], sign_in(env, ids["admins"]), strict=True))
        results, loads = serve_and_measure(env, Path(data_dir), options, scenarios(ids, sessions))

    table = report(results, options, ids, loads)
    print(table)
    save_results("duty_pages", table, results)


if __name__ == "__main__":
    main()
