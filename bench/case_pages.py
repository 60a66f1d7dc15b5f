"""Benchmark resident feedback at a million cases, on PostgreSQL, each figure as a ratio to a bare
Django view measured in the same run.

    .venv/bin/python bench/case_pages.py [--cases 1000000] [--seconds 20] [--keep-database]
    .venv/bin/python bench/case_pages.py --reuse-database [--only board]

Creates (and afterwards drops, unless --keep-database) the database `tongxin_bench_cases`, fills
it with the city of bench/seed.py and a year of cases (bench/cases_seed.py), serves the site with
`tongxin serve` (gunicorn) and the production settings, plus /bench/bare/ (bench/bench_urls.py,
never in the product's URLs), and drives it from a second process on loopback (bench/load.py).
Prints p50/p95/p99 per scenario and their ratio to the bare view's, and writes them to
bench/results/.
"""

import argparse
import json
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from organisation_pages import (
    BENCH,
    VENV_BIN,
    drop_database,
    free_port,
    load_average,
    production_environment,
    recreate_database,
    save_results,
    seed,
    tongxin,
    wait_until_serving,
)

DEFAULT_DATABASE = "tongxin_bench_cases"
BARE = "bare Django view (no database)"


def ids_file(database: str) -> Path:
    return BENCH / "results" / f"{database}-ids.json"


def seed_cases(env: dict[str, str], *, cases: int) -> dict:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(BENCH / "cases_seed.py"), "--cases", str(cases)],
        env={**env, "DJANGO_SETTINGS_MODULE": "tongxin.settings"},
        check=True,
        capture_output=True,
        text=True,
    )
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    summary["seconds_to_load_cases"] = round(time.monotonic() - started)
    return summary


def prepare_database(options: argparse.Namespace, env: dict[str, str]) -> dict:
    """A filled database: seeded afresh, or the one a run with --keep-database left behind."""
    if options.reuse_database:
        return json.loads(ids_file(options.database).read_text())
    print(f"Creating {options.database} and filling it (a few minutes) ...", file=sys.stderr)
    recreate_database(options.database)
    tongxin("migrate", env=env)
    ids = seed(env, villages=options.villages, members=options.members, residents=0)
    ids.update(seed_cases(env, cases=options.cases))
    if options.keep_database:
        ids_file(options.database).parent.mkdir(exist_ok=True)
        ids_file(options.database).write_text(json.dumps(ids) + "\n")
    return ids


def sign_in(env: dict[str, str], usernames: list[str]) -> list[str]:
    """The handlers' session keys, written under this run's SECRET_KEY (cases_seed.py --sign-in)."""
    result = subprocess.run(
        [sys.executable, str(BENCH / "cases_seed.py"), "--sign-in", *usernames],
        env={**env, "DJANGO_SETTINGS_MODULE": "tongxin.settings"},
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def submissions(ids: dict, count: int = 600) -> list[str]:
    """Anonymous reports through the API, over every village and a few categories in turn."""
    categories = ["sanitation", "roads", "street_lights", "water", "noise", "parking"]
    villages = ids["villages"]
    return [
        json.dumps(
            {
                "category": categories[number % len(categories)],
                "description": f"第{number}号测试：路口的垃圾桶满了，请尽快清理。",
                "organisation": villages[number % len(villages)],
                "privacy": "anonymous",
            }
        )
        for number in range(count)
    ]


def scenarios(ids: dict, sessions: list[str]) -> list[dict]:
    """Each: name, paths taken in turn, and per turn the headers (a handler's token or cookie)."""
    tokens = ids["handler_tokens"]
    as_handler = [{"Authorization": f"Bearer {token}"} for token in tokens]
    cookie = [{"Cookie": f"sessionid={key}"} for key in sessions]
    handled = ids["handled_codes"]
    return [
        {"name": BARE, "paths": ["/bench/bare/"]},
        {"name": "board: a village", "paths": [f"/board/{pk}/" for pk in ids["villages"]]},
        {"name": "board: a town (30 villages)", "paths": [f"/board/{pk}/" for pk in ids["towns"]]},
        {
            "name": "case list (HTML) as a village handler",
            "paths": ["/cases/"],
            "turn_headers": cookie,
        },
        {
            "name": "API: case list as a village handler, 50",
            "paths": ["/api/v1/cases?limit=50"],
            "turn_headers": as_handler,
        },
        {
            "name": "case detail (HTML) as its handler",
            "paths": [f"/cases/{code}/" for _, code in handled],
            "turn_headers": [cookie[index] for index, _ in handled],
        },
        {
            "name": "API: case detail as its handler",
            "paths": [f"/api/v1/cases/{code}" for _, code in handled],
            "turn_headers": [as_handler[index] for index, _ in handled],
        },
        {
            "name": "tracking page (public, by code)",
            "paths": [f"/track/{code}/" for code in ids["public_codes"]],
        },
        {
            "name": "Open311: requests.json (latest 1000 of 90 days)",
            "paths": ["/open311/v2/requests.json"],
        },
        {
            "name": "submission: POST /api/v1/cases, anonymous",
            "paths": ["/api/v1/cases"],
            "method": "POST",
            "bodies": submissions(ids),
            "headers": ["Content-Type: application/json"],
            "expect": 201,
        },
    ]


def measure(base: str, scenario: dict, options: argparse.Namespace, scratch: Path) -> dict:
    command = [
        sys.executable,
        str(BENCH / "load.py"),
        "--base",
        base,
        "--seconds",
        str(options.seconds),
        "--concurrency",
        str(options.concurrency),
        "--method",
        scenario.get("method", "GET"),
        "--expect",
        str(scenario.get("expect", 200)),
    ]
    for header in scenario.get("headers", []):
        command += ["--header", header]
    for option in ("bodies", "turn_headers"):
        if scenario.get(option):
            path = scratch / f"{option}.json"
            path.write_text(json.dumps(scenario[option]))
            command += [f"--{option.replace('_', '-')}", str(path)]
    result = subprocess.run(
        [*command, *scenario["paths"]], check=True, capture_output=True, text=True
    )
    return json.loads(result.stdout)


def ratio(value: float | None, bare: float | None) -> str:
    return f"{value / bare:.1f}×" if value and bare else "–"


def report(
    results: list[tuple[str, dict]], options: argparse.Namespace, ids: dict, loads: list[str]
) -> str:
    bare = dict(results).get(BARE, {})
    lines = [
        (
            f"Tongxin cases benchmark, {datetime.now().isoformat(timespec='minutes')}: "
            f"{ids['cases']:,} cases ({ids['steps']:,} ledger steps, "
            f"{ids['overdue']:,} open and overdue) "
            f"in {len(ids['villages'])} villages; PostgreSQL; gunicorn with {options.workers} "
            f"workers; {options.concurrency} connections for {options.seconds:g} s per scenario."
        ),
        (
            f"Load average (1, 5, 15 min) before the first scenario: {loads[0]}; "
            f"after the last: {loads[-1]}."
        ),
        "",
        (
            "| scenario | requests/s | p50 ms | p95 ms | p99 ms "
            "| p50 ratio | p95 ratio | p99 ratio | failures |"
        ),
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, result in results:
        if result["failures"] == result["requests"] and result["requests"]:
            first = result["first_failures"][0] if result["first_failures"] else ""
            lines.append(f"| {name} | not measured: every request failed ({first}) | | | | | | | |")
            continue
        figures = [result[key] for key in ("per_second", "p50_ms", "p95_ms", "p99_ms")]
        ratios = [ratio(result[key], bare.get(key)) for key in ("p50_ms", "p95_ms", "p99_ms")]
        cells = [name, *map(str, figures), *ratios, str(result["failures"])]
        lines.append(f"| {' | '.join(cells)} |")
    return "\n".join(lines)


def serve_and_measure(env: dict[str, str], data_dir: Path, options: argparse.Namespace, chosen: list[dict]) -> tuple[list, list]:
    """Serve the site plus /bench/bare/ with gunicorn, measure each scenario `--only` picks and the
    bare view again at the end, then stop it and drop the database unless it is kept. The
    results and the load averages before and after."""
    # `tongxin serve` keeps the settings module it is given.
    server_env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": ":".join(filter(None, [str(BENCH), env.get("PYTHONPATH", "")])),
    }
    base = f"http://127.0.0.1:{free_port()}"
    server = subprocess.Popen(
        [str(VENV_BIN / "tongxin"), "serve", "--bind", base.removeprefix("http://"), "--workers", str(options.workers)],
        env=server_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_serving(base, server)
        results, loads = [], [load_average()]
        for scenario in chosen:
            if options.only not in scenario["name"] and scenario["name"] != BARE:
                continue
            print(f"Measuring: {scenario['name']}", file=sys.stderr)
            results.append((scenario["name"], measure(base, scenario, options, data_dir)))
        print(f"Measuring: {BARE}, again", file=sys.stderr)
        bare = {"name": BARE, "paths": ["/bench/bare/"]}
        results.append((f"{BARE}, again at the end", measure(base, bare, options, data_dir)))
        loads.append(load_average())
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        if not (options.keep_database or options.reuse_database):
            drop_database(options.database)
    return results, loads


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--villages", type=int, default=300)
    parser.add_argument("--members", type=int, default=10_000)
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
        ids = prepare_database(options, env)
        tongxin("collectstatic", "--no-input", env=env)
        sessions = sign_in(env, ids["handlers"])
        results, loads = serve_and_measure(env, Path(data_dir), options, scenarios(ids, sessions))

    table = report(results, options, ids, loads)
    print(table)
    save_results("case_pages", table, results)


if __name__ == "__main__":
    main()
