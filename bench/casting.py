"""Benchmark online casting on PostgreSQL: ballots a second and p50/p95/p99 latency, over HTTP
through gunicorn and through the action alone, then the time to seal the round.

    .venv/bin/python bench/casting.py [--voters 40000] [--seconds 20] [--workers 2]

Creates (and afterwards drops, unless --keep-database) the database `tongxin_bench_casting`,
fills it with one party-branch election of `--voters` eligible voters, 15 candidates and 7
seats with its first round open (each voter with an account and an API token), serves the site
with `tongxin serve` (gunicorn) and the production settings plus /bench/bare/, and measures:

1. the bare view, the yardstick;
2. `POST /api/v1/elections/<pk>/ballot` from bench/load.py in its own process, each request a
   different voter's bearer token and a different ballot (random marks, one in ten with a
   write-in), at 2 and at `--crowd` connections: every request is a real cast (permission,
   rules, turnout row, ballot with `MIX` earlier ones rewritten, audit event); a voter's second
   cast would be a 409 and count as a failure;
3. `cast_ballot` called directly by `--processes` processes, each with its own connection: the
   action and the database alone, without HTTP and gunicorn in front;
4. `seal_round` over every ballot cast, in one transaction, as closing the round does.

Prints a table and writes it to bench/results/. Modes used internally: --seed, --direct, --seal.
"""

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from case_pages import measure
from organisation_pages import (
    BENCH,
    VENV_BIN,
    drop_database,
    free_port,
    load_average,
    production_environment,
    recreate_database,
    save_results,
    tongxin,
    wait_until_serving,
)

DEFAULT_DATABASE = "tongxin_bench_casting"
BARE = "bare Django view (no database)"
CANDIDATES = 15
SEATS = 7
WRITE_INS = ["赵敏", "孙丽", "周强", "欧阳明月"]


# ---- inside Django (the --seed, --direct and --seal modes) -----------------------------------


def setup_django() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongxin.settings")
    django.setup()


def seed_election(voters: int) -> dict:
    """One branch election, its roll of `voters` with accounts and tokens, its first round open."""
    from django.db import connection
    from django.utils import timezone

    from tongxin.accounts.models import ApiToken, User
    from tongxin.community.actions import create_organisation
    from tongxin.community.models import Formation, Gender, OrganisationKind, PartyStatus, Person
    from tongxin.core.actors import SystemActor
    from tongxin.elections.models import (
        Candidate,
        Election,
        Phase,
        RollEntry,
        RoundCandidate,
        RoundKind,
        RoundStatus,
        VotingRound,
    )

    system = SystemActor("bench")
    city = create_organisation(actor=system, name="临海市", name_en="Linhai City", kind=OrganisationKind.CITY, parent=None)
    town = create_organisation(actor=system, name="同心镇", name_en="Tongxin Town", kind=OrganisationKind.TOWN, parent=city)
    village = create_organisation(actor=system, name="小寨村", name_en="Xiaozhai", kind=OrganisationKind.VILLAGE, parent=town)
    branch = create_organisation(
        actor=system, name="小寨村党委", name_en="Xiaozhai Party Committee",
        kind=OrganisationKind.PARTY_BRANCH, parent=village, formation=Formation.ELECTED,
    )
    users = User.objects.bulk_create(
        (User(username=f"voter{number:06d}") for number in range(voters)), batch_size=5000
    )
    people = Person.objects.bulk_create(
        (
            Person(name=f"党员{number:06d}", gender=Gender.FEMALE if number % 2 else Gender.MALE,
                   party_status=PartyStatus.FULL, home=village, user=user)
            for number, user in enumerate(users)
        ),
        batch_size=5000,
    )
    secrets_by_voter = [ApiToken.new_secret() for _ in users]
    ApiToken.objects.bulk_create(
        (
            ApiToken(user=user, name="bench", prefix=secret[:8], token_hash=ApiToken.hash_secret(secret))
            for user, secret in zip(users, secrets_by_voter, strict=True)
        ),
        batch_size=5000,
    )
    election = Election.objects.create(
        organisation=branch, title="小寨村党委换届选举（基准测试）", seats=SEATS, rule_set="party_branch",
        phase=Phase.VOTING,
    )
    RollEntry.objects.bulk_create((RollEntry(election=election, person=person) for person in people), batch_size=5000)
    candidates = [
        Candidate.objects.create(election=election, person=person, position=position)
        for position, person in enumerate(people[:CANDIDATES], start=1)
    ]
    voting_round = VotingRound.objects.create(
        election=election, number=1, kind=RoundKind.FIRST, seats=SEATS, status=RoundStatus.OPEN,
        voters_due=voters, opened_at=timezone.now(),
    )
    RoundCandidate.objects.bulk_create(
        RoundCandidate(round=voting_round, candidate=candidate, position=candidate.position) for candidate in candidates
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "election": election.pk,
        "round": voting_round.pk,
        "candidates": [candidate.pk for candidate in candidates],
        "tokens": secrets_by_voter,
    }


def ballot_bodies(candidates: list[int], count: int, seed: int = 2026) -> list[dict]:
    """Random ballots by the rules: at most SEATS approvals, a write-in only beside a disapproval."""
    rng = random.Random(seed)
    bodies = []
    for _ in range(count):
        approved = set(rng.sample(candidates, rng.randint(0, SEATS)))
        marks = {
            str(pk): "approve" if pk in approved else rng.choice(["disapprove", "abstain"]) for pk in candidates
        }
        write_ins = [rng.choice(WRITE_INS)] if "disapprove" in marks.values() and rng.random() < 0.1 else []
        bodies.append({"marks": marks, "write_ins": write_ins})
    return bodies


def percentiles(latencies: list[float], seconds: float, failures: int) -> dict:
    from load import percentile

    ordered = sorted(value * 1000 for value in latencies)
    return {
        "requests": len(ordered),
        "failures": failures,
        "first_failures": [],
        "per_second": round(len(ordered) / seconds, 1),
        "p50_ms": round(percentile(ordered, 0.50), 1) if ordered else None,
        "p95_ms": round(percentile(ordered, 0.95), 1) if ordered else None,
        "p99_ms": round(percentile(ordered, 0.99), 1) if ordered else None,
        "max_ms": round(ordered[-1], 1) if ordered else None,
    }


def cast_directly(round_pk: int, processes: int, seconds: float, warmup: float) -> dict:
    """`processes` processes, each with its own connection, casting for voters who have not voted.

    Processes, not threads: one Python process spends about 10 ms of CPU per cast in Django's
    ORM, so threads would measure the GIL, not the database.
    """
    import multiprocessing

    from django.db import connection

    from tongxin.accounts.models import User
    from tongxin.elections.models import Turnout

    voted = Turnout.objects.filter(round_id=round_pk).values("voter__person__user")
    waiting = list(
        User.objects.filter(person__roll_entries__election__rounds=round_pk)
        .exclude(pk__in=voted)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    connection.close()  # the children open their own
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    begin = time.time() + 2.0  # every process starts casting at this moment
    children = [
        context.Process(
            target=_cast_in_turn,
            args=(round_pk, waiting[number::processes], begin, warmup, seconds, results, number),
        )
        for number in range(processes)
    ]
    for child in children:
        child.start()
    latencies: list[float] = []
    failures = 0
    for _child in children:
        measured, failed = results.get()
        latencies += measured
        failures += failed
    for child in children:
        child.join()
    return percentiles(latencies, seconds, failures)


def _cast_in_turn(
    round_pk: int, voters: list[int], begin: float, warmup: float, seconds: float, results, seed: int
) -> None:
    from django.db import connection

    from tongxin.accounts.models import User
    from tongxin.core.errors import ActionError
    from tongxin.elections.actions.casting import cast_ballot
    from tongxin.elections.models import VotingRound

    voting_round = VotingRound.objects.select_related("election").get(pk=round_pk)
    candidates = list(voting_round.entries.values_list("candidate_id", flat=True))
    bodies = ballot_bodies(candidates, 200, seed=seed)
    users = iter(User.objects.filter(pk__in=voters).order_by("pk"))
    latencies, failures = [], 0
    time.sleep(max(0.0, begin - time.time()))
    warm_until, until = time.perf_counter() + warmup, time.perf_counter() + warmup + seconds
    for number, user in enumerate(users):
        began = time.perf_counter()
        if began >= until:
            break
        body = bodies[number % len(bodies)]
        try:
            cast_ballot(
                actor=user,
                voting_round=voting_round,
                marks={int(pk): mark for pk, mark in body["marks"].items()},
                write_ins=body["write_ins"],
            )
        except ActionError:
            failures += 1
            continue
        if began >= warm_until:
            latencies.append(time.perf_counter() - began)
    connection.close()
    results.put((latencies, failures))


def seal(round_pk: int) -> dict:
    """Close-time sealing of every ballot cast, timed; and the books checked."""
    from django.db import transaction

    from tongxin.core.audit import AuditEvent
    from tongxin.elections.actions.casting import seal_round
    from tongxin.elections.models import Ballot, Turnout, VotingRound

    voting_round = VotingRound.objects.get(pk=round_pk)
    began = time.perf_counter()
    with transaction.atomic():
        seal_round(voting_round)
    seconds = time.perf_counter() - began
    return {
        "ballots": Ballot.objects.filter(round=voting_round).count(),
        "turnout": Turnout.objects.filter(round=voting_round).count(),
        "votes_audited": AuditEvent.objects.filter(verb="election.vote").count(),
        "seal_seconds": round(seconds, 2),
    }


# ---- the driver --------------------------------------------------------------------------------


def inside(mode: list[str], env: dict[str, str]) -> dict:
    """Run this script in one of its Django modes with the benchmark's environment."""
    result = subprocess.run(
        [sys.executable, __file__, *mode],
        env={**env, "DJANGO_SETTINGS_MODULE": "tongxin.settings"},
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def report(results: list[tuple[str, dict]], options: argparse.Namespace, sealed: dict, loads: list[str]) -> str:
    lines = [
        (
            f"Tongxin casting benchmark, {datetime.now().isoformat(timespec='minutes')}: one election of "
            f"{options.voters:,} voters, {CANDIDATES} candidates, {SEATS} seats; PostgreSQL; gunicorn with "
            f"{options.workers} workers; {options.seconds:g} s measured per scenario."
        ),
        f"Load average (1, 5, 15 min) before the first scenario: {loads[0]}; after the last: {loads[-1]}.",
        "",
        "| scenario | ballots/s | p50 ms | p95 ms | p99 ms | max ms | failures |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, result in results:
        figures = [result[key] for key in ("per_second", "p50_ms", "p95_ms", "p99_ms", "max_ms", "failures")]
        lines.append(f"| {name} | {' | '.join(map(str, figures))} |")
    lines += [
        "",
        (
            f"Sealing the round: {sealed['ballots']:,} ballots rewritten in a random order in "
            f"{sealed['seal_seconds']} s; turnout rows {sealed['turnout']:,}, ballots {sealed['ballots']:,}, "
            f"vote events in the audit chain {sealed['votes_audited']:,}."
        ),
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--voters", type=int, default=40_000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--crowd", type=int, default=16, help="connections of the crowded HTTP scenario")
    parser.add_argument("--processes", type=int, default=4, help="processes (connections) casting directly")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database", default=DEFAULT_DATABASE, help="default: %(default)s")
    parser.add_argument("--keep-database", action="store_true", help="Leave the database for a look.")
    parser.add_argument("--seed", type=int, metavar="VOTERS", help=argparse.SUPPRESS)
    parser.add_argument("--direct", type=int, metavar="ROUND", help=argparse.SUPPRESS)
    parser.add_argument("--seal", type=int, metavar="ROUND", help=argparse.SUPPRESS)
    options = parser.parse_args()

    if options.seed or options.direct or options.seal:
        setup_django()
        if options.seed:
            print(json.dumps(seed_election(options.seed)))
        elif options.direct:
            print(json.dumps(cast_directly(options.direct, options.processes, options.seconds, options.warmup)))
        else:
            print(json.dumps(seal(options.seal)))
        return

    with tempfile.TemporaryDirectory(prefix="tongxin-bench-") as data_dir:
        env = production_environment(data_dir, options.database)
        print(f"Creating {options.database} with {options.voters:,} voters ...", file=sys.stderr)
        recreate_database(options.database)
        tongxin("migrate", env=env)
        tongxin("collectstatic", "--no-input", env=env)
        ids = inside(["--seed", str(options.voters)], env)
        tokens = [{"Authorization": f"Bearer {token}"} for token in ids["tokens"]]
        bodies = [json.dumps(body, ensure_ascii=False) for body in ballot_bodies(ids["candidates"], 1000)]
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
        path = f"/api/v1/elections/{ids['election']}/ballot"
        # Each HTTP scenario gets its own voters: a voter casts once.
        half = len(tokens) // 3
        casting = [
            (f"cast: POST /api/v1/elections/<pk>/ballot, {options.concurrency} connections", options.concurrency, tokens[:half]),
            (f"cast: POST, {options.crowd} connections (a crowd queueing for {options.workers} workers)", options.crowd, tokens[half : 2 * half]),
        ]
        results: list[tuple[str, dict]] = []
        try:
            wait_until_serving(base, server)
            loads = [load_average()]
            print(f"Measuring: {BARE}", file=sys.stderr)
            results.append((BARE, measure(base, {"name": BARE, "paths": ["/bench/bare/"]}, options, Path(data_dir))))
            for name, concurrency, voters in casting:
                print(f"Measuring: {name}", file=sys.stderr)
                scenario = {
                    "name": name,
                    "paths": [path],
                    "method": "POST",
                    "bodies": bodies,
                    "headers": ["Content-Type: application/json"],
                    "turn_headers": voters,
                    "expect": 201,
                }
                crowd = argparse.Namespace(seconds=options.seconds, concurrency=concurrency)
                results.append((name, measure(base, scenario, crowd, Path(data_dir))))
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        try:
            name = f"cast_ballot() directly, {options.processes} processes with their own connections"
            print(f"Measuring: {name}", file=sys.stderr)
            results.append((name, inside(["--direct", str(ids["round"]), "--processes", str(options.processes), "--seconds", str(options.seconds), "--warmup", str(options.warmup)], env)))
            print("Sealing the round", file=sys.stderr)
            sealed = inside(["--seal", str(ids["round"])], env)
            loads.append(load_average())
        finally:
            if not options.keep_database:
                drop_database(options.database)

    table = report(results, options, sealed, loads)
    print(table)
    save_results("casting", table, results)


if __name__ == "__main__":
    main()
