"""Time counting a 10,000-voter election: 15 candidates, 7 seats, party branch rules.

Pure Python, no database: `.venv/bin/python bench/counting.py`. The ballots are random with a
fixed seed (each candidate has a popularity; a voter approves at most 7, or in one case in a
hundred more and spoils the ballot, disapproves or abstains on the rest, and one in twenty
writes someone in beside a disapproval), so every run counts the same election. Prints the best of 5 runs of `count_election`, and the outcome as a check.
"""

import argparse
import random
import time

from tongxin.elections.counting import PARTY_BRANCH, Ballot, count_election

WRITE_INS = ["赵敏", "孙丽", "周强"]


def ballots(voters: int, candidates: list[str], seats: int, seed: int) -> list[Ballot]:
    rng = random.Random(seed)
    # Some candidates are far more popular than others, as in a real election.
    approval = [
        rng.uniform(0.45, 0.85) if rng.random() < 0.5 else rng.uniform(0.05, 0.4)
        for _ in candidates
    ]
    cast = []
    for _ in range(voters):
        approved = [name for name, p in zip(candidates, approval) if rng.random() < p]
        if len(approved) > seats and rng.random() > 0.01:  # 1 in 100 spoils the ballot
            approved = rng.sample(approved, seats)
        marks = {
            name: "approve" if name in approved else rng.choice(["disapprove", "abstain"])
            for name in candidates
        }
        disapproved = [name for name in candidates if marks[name] == "disapprove"]
        room = seats - len(approved)
        write_ins = (rng.choice(WRITE_INS),) if disapproved and room and rng.random() < 0.05 else ()
        cast.append(Ballot(marks, write_ins))
    return cast


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=10_000)
    parser.add_argument("--candidates", type=int, default=15)
    parser.add_argument("--seats", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    candidates = [f"候选人{number:02d}" for number in range(1, args.candidates + 1)]
    cast = ballots(args.voters, candidates, args.seats, args.seed)
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        result = count_election(
            PARTY_BRANCH,
            seats=args.seats,
            candidates=candidates,
            voters_due=args.voters,
            voters_present=args.voters,
            ballots=cast,
        )
        times.append(time.perf_counter() - start)
    print(
        f"{args.voters} voters, {args.candidates} candidates, {args.seats} seats: "
        f"best of {args.repeat} {min(times) * 1000:.1f} ms (worst {max(times) * 1000:.1f} ms)"
    )
    print(
        f"{result.status}: {result.valid} valid, {result.invalid} invalid; "
        f"elected {', '.join(result.elected) or 'nobody'}; {result.unfilled_seats} unfilled"
    )


if __name__ == "__main__":
    main()
