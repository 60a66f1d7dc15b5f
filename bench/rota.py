"""Time planning a year's duty rota: 52 weeks, 2,500 volunteers, 300 villages, teams of 3.

Pure Python, no database: `.venv/bin/python bench/rota.py`. The volunteers are random with a
fixed seed (a home village each; up to three unavailable days in the year, and one in ten away
for a stretch of two to six weeks; three in ten marked experienced), home villages are avoided,
and 5 troubleshooters float each week, so every run plans the same rota. Prints the median and
the spread of the runs of `plan`, and what the rota came to as a check.
"""

import argparse
import random
import statistics
import time
from datetime import date, timedelta

from tongxin.duty.rota import Volunteer, plan

START = date(2027, 1, 4)


def volunteers(count: int, villages: list[str], weeks: int, seed: int) -> list[Volunteer]:
    rng = random.Random(seed)
    days = 7 * weeks
    pool = []
    for number in range(count):
        away = {START + timedelta(days=rng.randrange(days)) for _ in range(rng.randrange(4))}
        if rng.random() < 0.1:  # a longer absence: a trip, an illness
            first = rng.randrange(days)
            away |= {START + timedelta(days=first + n) for n in range(7 * rng.randint(2, 6))}
        pool.append(
            Volunteer(
                id=f"党员{number:05d}",
                home=rng.choice(villages),
                unavailable=frozenset(away),
                experienced=rng.random() < 0.3,
            )
        )
    return pool


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--volunteers", type=int, default=2500)
    parser.add_argument("--villages", type=int, default=300)
    parser.add_argument("--team-size", type=int, default=3)
    parser.add_argument("--troubleshooters", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2027)
    args = parser.parse_args()

    villages = [f"村{number:03d}" for number in range(args.villages)]
    pool = volunteers(args.volunteers, villages, args.weeks, args.seed)
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        rota = plan(
            start=START,
            weeks=args.weeks,
            villages=villages,
            team_size=args.team_size,
            troubleshooters=args.troubleshooters,
            volunteers=pool,
            avoid_home_village=True,
        )
        times.append(time.perf_counter() - started)
    seats = args.weeks * (args.villages * args.team_size + args.troubleshooters)
    turns = sorted(rota.turns.values())
    print(
        f"{args.weeks} weeks, {args.volunteers} volunteers, {args.villages} villages, teams of "
        f"{args.team_size}, {args.troubleshooters} troubleshooters: median of {args.repeat} "
        f"{statistics.median(times):.3f} s (best {min(times):.3f} s, worst {max(times):.3f} s)"
    )
    print(
        f"{sum(turns)} of {seats} seats filled, {sum(gap.missing for gap in rota.unfilled)} "
        f"unfilled; turns from {turns[0]} to {turns[-1]} "
        f"({sum(t == turns[0] for t in turns)} volunteers with {turns[0]})"
    )


if __name__ == "__main__":
    main()
