"""Planning a duty rota: one-week turns in teams per village, and floating troubleshooters.

The one-week secretaries of issue 6: every week each village has a team of `team_size`
volunteers, and `troubleshooters` more float between the villages. `plan` makes the rota for
`weeks` weeks from `start`; `read_input` turns the JSON of `tongxin plan-rota` into its arguments.

These always hold, for any input (the tests check them with an independent checker):

- a volunteer serves only in a week in which none of their unavailable dates falls;
- nobody serves twice in one week, nor in two consecutive weeks;
- with `avoid_home_village`, nobody serves on their home village's team (troubleshooters float,
  so anyone may be one);
- every seat left empty is in `Plan.unfilled`, with the number missing: nothing is dropped.

Turns. Week by week, the seats go to the volunteers who may serve that week in the order of
fewest turns so far, then longest rest (never served first), then a fixed draw. Then turns are
handed on, seat for seat, from those with more to those with fewer (`_even_out`). The result
keeps this promise, which the tests check on every plan:

- nobody could get a turn from someone with two turns more, directly or along a chain of
  hand-overs: q taking a seat of x1 in some week, x1 one of x2's, and so on, each of them
  available that week, serving neither that week nor the one before or after, and allowed on
  that seat;
- no seat is left empty that someone could take, in that sense.

So when every volunteer is available every week, there are at least twice as many volunteers as
seats in a week, and (with `avoid_home_village`) no village is home to more than
`seats − team_size` of them, turns differ by at most one, the least spread there can be. With
unavailability the spread can be wider (someone away for most of the quarter has fewer turns),
and the promise above is what holds. The planner does not search for a rota with fewer gaps
than this: it reports the gaps.

Mixing. A volunteer is experienced when marked so or after their first turn of this plan. Each
week's experienced volunteers are dealt one per team in turn: every team has one before the
troubleshooters get any, and the troubleshooters before any team has a second. Where several
volunteers are tied for the last seats, experienced ones are preferred until there are enough
to go round. Keeping someone off their home team moves an experienced volunteer only when no
swap with another experienced one would do; handing turns on to even them out may move one too.

Where the issue leaves a choice open, this module decides, and says so:

- Weeks run seven days from `start`, whatever weekday it is; unavailable dates outside the
  plan's weeks are ignored.
- When a week is short of volunteers, villages get their first member, then their second and so
  on, before any troubleshooter: a village with one secretary is better than one with none. The
  village that comes first turns with the weeks, so the same villages do not always go short.
- The fixed draw is a hash of each id (and `seed`, to draw again): the plan does not depend on
  the order in which volunteers are listed.

No Django here: problems come back as stable codes with parameters (`Problem`), worded by the
caller (`tongxin.duty.wording`).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

MAX_WEEKS = 520  # ten years: a bound on the work one request may ask for
NEVER = -2  # the week a volunteer last served, if never: not the week before the first

REQUIRED = ("start", "weeks", "villages", "team_size", "troubleshooters", "volunteers")
OPTIONAL = ("avoid_home_village", "seed")
VOLUNTEER_KEYS = ("id", "home", "unavailable", "experienced")

# ---------------------------------------------------------------------------------------------
# Problems with the input


@dataclass(frozen=True)
class Problem:
    """Something wrong with the input, as a code and the values to word it with.

    Codes: not_an_object, missing_key {key}, unknown_key {key}, bad_date {field, value},
    bad_number {field, value, low, high (or None)}, bad_flag {field, value}, bad_villages,
    unnamed_village, no_villages, duplicate_village {village}, bad_volunteers,
    bad_volunteer {number}, unnamed_volunteer {number}, bad_unavailable_date {id, value},
    duplicate_id {id}, unknown_home_village {id, home}.
    """

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


class InputError(ValueError):
    """The rota as asked for cannot be planned: the input is malformed or inconsistent."""

    def __init__(self, code: str, params: Mapping[str, Any] | None = None) -> None:
        self.problem = Problem(code, dict(params or {}))
        super().__init__(f"{code}: {dict(self.problem.params)}")


# ---------------------------------------------------------------------------------------------
# Input and result


@dataclass(frozen=True)
class Volunteer:
    id: str
    home: str | None = None  # a village of the plan, or None (lives elsewhere)
    unavailable: frozenset[date] = frozenset()
    experienced: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "unavailable", frozenset(self.unavailable))


@dataclass(frozen=True)
class Week:
    start: date
    teams: Mapping[str, tuple[str, ...]]  # every village, in the order given; short teams shorter
    troubleshooters: tuple[str, ...]


@dataclass(frozen=True)
class Gap:
    """Seats left empty: on `village`'s team, or among the troubleshooters if `village` is None."""

    week: date
    village: str | None
    missing: int

    @property
    def role(self) -> str:
        return "troubleshooter" if self.village is None else "team"


@dataclass(frozen=True)
class Plan:
    weeks: tuple[Week, ...]
    turns: Mapping[str, int]  # every volunteer, in the order given, 0 included
    unfilled: tuple[Gap, ...]  # by week; in a week villages as given, then troubleshooters


# ---------------------------------------------------------------------------------------------
# Planning


def plan(
    *,
    start: date,
    weeks: int,
    villages: Sequence[str],
    team_size: int,
    troubleshooters: int,
    volunteers: Sequence[Volunteer],
    avoid_home_village: bool = False,
    seed: int = 0,
) -> Plan:
    """The rota for `weeks` weeks from `start`. Raises InputError when the input is inconsistent."""
    villages = tuple(villages)
    volunteers = tuple(volunteers)
    _check(weeks, villages, team_size, troubleshooters, volunteers, seed)

    count = len(volunteers)
    ids = [volunteer.id for volunteer in volunteers]
    homes = [volunteer.home if avoid_home_village else None for volunteer in volunteers]
    flagged = [volunteer.experienced for volunteer in volunteers]
    blocked = [_blocked_weeks(volunteer.unavailable, start, weeks) for volunteer in volunteers]
    draw = [_draw(seed, volunteer.id) for volunteer in volunteers]
    # The fixed draw orders ties: the listing order of the volunteers never matters.
    by_draw = sorted(range(count), key=lambda p: draw[p])
    turns = [0] * count
    last = [NEVER] * count
    seats = len(villages) * team_size + troubleshooters

    rota: list[tuple[dict[str, list[int]], list[int]]] = []  # each week's teams, troubleshooters
    for week in range(weeks):
        order = villages[week % len(villages) :] + villages[: week % len(villages)]
        eligible = [p for p in by_draw if week not in blocked[p] and last[p] != week - 1]
        eligible.sort(key=lambda p: (turns[p], last[p]))  # stable: the draw stays the tie-break
        experienced = [flagged[p] or turns[p] > 0 for p in range(count)]
        wanted = min(seats, len(eligible))
        _prefer_experienced_in_last_tier(
            eligible, wanted, experienced, turns, last, len(villages), troubleshooters
        )
        chosen, from_village = _choose(eligible, seats, homes, seats - team_size)
        sizes, floating = _seats_to_fill(len(chosen), order, team_size, from_village)
        rota.append(_deal(chosen, sizes, floating, order, homes, experienced, team_size))
        for p in chosen:
            turns[p] += 1
            last[p] = week

    served = [set[int]() for _ in range(count)]
    for week, (teams, trouble) in enumerate(rota):
        for p in [*trouble, *(p for team in teams.values() for p in team)]:
            served[p].add(week)
    _even_out(
        rota,
        turns,
        served,
        blocked=blocked,
        homes=homes,
        draw=draw,
        team_size=team_size,
        troubleshooters=troubleshooters,
    )

    planned: list[Week] = []
    unfilled: list[Gap] = []
    for week, (teams, trouble) in enumerate(rota):
        week_start = start + timedelta(weeks=week)
        planned.append(
            Week(
                start=week_start,
                teams={v: tuple(ids[p] for p in teams[v]) for v in villages},
                troubleshooters=tuple(ids[p] for p in trouble),
            )
        )
        for village in villages:
            if len(teams[village]) < team_size:
                unfilled.append(Gap(week_start, village, team_size - len(teams[village])))
        if len(trouble) < troubleshooters:
            unfilled.append(Gap(week_start, None, troubleshooters - len(trouble)))

    return Plan(
        weeks=tuple(planned),
        turns={ids[p]: turns[p] for p in range(count)},
        unfilled=tuple(unfilled),
    )


def _check(
    weeks: Any,
    villages: tuple[str, ...],
    team_size: Any,
    troubleshooters: Any,
    volunteers: tuple[Volunteer, ...],
    seed: Any,
) -> None:
    for name, value, low, high in (
        ("weeks", weeks, 1, MAX_WEEKS),
        ("team_size", team_size, 1, None),
        ("troubleshooters", troubleshooters, 0, None),
    ):
        if not _is_whole(value) or value < low or (high is not None and value > high):
            raise InputError(
                "bad_number", {"field": name, "value": _shown(value), "low": low, "high": high}
            )
    if not _is_whole(seed):
        raise InputError(
            "bad_number", {"field": "seed", "value": _shown(seed), "low": None, "high": None}
        )
    if not villages:
        raise InputError("no_villages")
    seen: set[str] = set()
    for village in villages:
        if not isinstance(village, str) or not village.strip():
            raise InputError("unnamed_village")
        if village in seen:
            raise InputError("duplicate_village", {"village": village})
        seen.add(village)
    ids: set[str] = set()
    for number, volunteer in enumerate(volunteers, 1):
        if not isinstance(volunteer.id, str) or not volunteer.id.strip():
            raise InputError("unnamed_volunteer", {"number": number})
        if volunteer.id in ids:
            raise InputError("duplicate_id", {"id": volunteer.id})
        ids.add(volunteer.id)
        if volunteer.home is not None and volunteer.home not in seen:
            raise InputError("unknown_home_village", {"id": volunteer.id, "home": volunteer.home})


def _blocked_weeks(unavailable: frozenset[date], start: date, weeks: int) -> frozenset[int]:
    days = ((day - start).days for day in unavailable)
    return frozenset(offset // 7 for offset in days if 0 <= offset < 7 * weeks)


def _draw(seed: int, volunteer_id: str) -> tuple[bytes, str]:
    digest = hashlib.blake2b(f"{seed}\x00{volunteer_id}".encode(), digest_size=8).digest()
    return digest, volunteer_id


def _prefer_experienced_in_last_tier(
    eligible: list[int],
    wanted: int,
    experienced: list[bool],
    turns: list[int],
    last: list[int],
    teams: int,
    troubleshooters: int,
) -> None:
    """Among the volunteers tied for the last seats, put enough experienced ones first to have
    one per team and troubleshooter; nobody moves past anyone with fewer turns or a longer rest."""
    if wanted == 0 or wanted >= len(eligible):
        return
    key = (turns[eligible[wanted - 1]], last[eligible[wanted - 1]])
    first = wanted - 1
    while first > 0 and (turns[eligible[first - 1]], last[eligible[first - 1]]) == key:
        first -= 1
    end = wanted
    while end < len(eligible) and (turns[eligible[end]], last[eligible[end]]) == key:
        end += 1
    needed = min(teams + troubleshooters, wanted) - sum(experienced[p] for p in eligible[:first])
    if needed <= 0:
        return
    tier = eligible[first:end]
    ahead = [p for p in tier if experienced[p]][:needed]
    taken = set(ahead)
    eligible[first:end] = ahead + [p for p in tier if p not in taken]


def _choose(
    eligible: list[int], seats: int, homes: list[str | None], outside: int
) -> tuple[list[int], Counter[str]]:
    """The week's volunteers: the first `seats` of `eligible` who can all be seated off their
    home teams, that is at most `outside` (the seats outside a team) from any one village.

    Any set of volunteers from two villages or more can be seated (each is kept off one team
    only), so this bound is the whole condition, and taking volunteers in order while it holds
    seats as many as can be, the first in order first.
    """
    chosen: list[int] = []
    from_village: Counter[str] = Counter()
    for p in eligible:
        if len(chosen) == seats:
            break
        home = homes[p]
        if home is not None:
            if from_village[home] >= outside:
                continue  # their village's residents already hold every seat they could take
            from_village[home] += 1
        chosen.append(p)
    return chosen, from_village


def _seats_to_fill(
    seated: int, order: tuple[str, ...], team_size: int, from_village: Counter[str]
) -> tuple[dict[str, int], int]:
    """How many of the week's `seated` volunteers each team gets, and the troubleshooters: first
    members of every team, then second members, and so on, in `order`; troubleshooters last.

    Then, if a village's residents would need more seats outside its team than there are, its
    team gives up seats to the smallest other teams, or else to the troubleshooters (at most one
    village can be in that case, and there is always room: see the tests).
    """
    on_teams = min(seated, len(order) * team_size)
    rounds, extra = divmod(on_teams, len(order))
    sizes = {village: rounds + (index < extra) for index, village in enumerate(order)}
    floating = seated - on_teams
    for village, residents in from_village.items():
        excess = residents + sizes[village] - seated
        if excess <= 0:
            continue
        sizes[village] -= excess
        for _ in range(excess):
            others = [
                u
                for u in order
                if u != village and sizes[u] < team_size and from_village[u] + sizes[u] < seated
            ]
            if others:
                sizes[min(others, key=lambda u: sizes[u])] += 1
            else:
                floating += 1
    return sizes, floating


def _deal(
    chosen: list[int],
    sizes: dict[str, int],
    floating: int,
    order: tuple[str, ...],
    homes: list[str | None],
    experienced: list[bool],
    team_size: int,
) -> tuple[dict[str, list[int]], list[int]]:
    """Seat the chosen: the experienced first, one per team, then the troubleshooters, then a
    second per team and so on; then swap anyone seated on their home team with someone else."""
    slots: list[str | None] = [v for v in order if sizes[v] >= 1] + [None] * floating
    for member in range(2, max(sizes.values()) + 1):  # not team_size: it may be huge
        slots += [v for v in order if sizes[v] >= member]
    people = [p for p in chosen if experienced[p]] + [p for p in chosen if not experienced[p]]

    for i, slot in enumerate(slots):
        home = homes[people[i]]
        if home is None or home != slot:
            continue
        partner = _swap_partner(i, slot, slots, people, homes, experienced)
        people[i], people[partner] = people[partner], people[i]

    teams: dict[str, list[int]] = {v: [] for v in order}
    trouble: list[int] = []
    for slot, p in zip(slots, people):
        (trouble if slot is None else teams[slot]).append(p)
    return teams, trouble


def _swap_partner(
    i: int,
    village: str,
    slots: list[str | None],
    people: list[int],
    homes: list[str | None],
    experienced: list[bool],
) -> int:
    """Someone seated outside `village` who does not live there, as experienced as people[i] if
    anyone is. One exists: no village has more residents among the seated than seats outside
    its team (`_seats_to_fill`)."""
    fallback = None
    for j, slot in enumerate(slots):
        if slot == village or homes[people[j]] == village:
            continue
        if experienced[people[j]] == experienced[people[i]]:
            return j
        if fallback is None:
            fallback = j
    assert fallback is not None, "a chosen volunteer has no seat outside their home team"
    return fallback


def _even_out(
    rota: list[tuple[dict[str, list[int]], list[int]]],
    turns: list[int],
    served: list[set[int]],
    *,
    blocked: list[frozenset[int]],
    homes: list[str | None],
    draw: list[tuple[bytes, str]],
    team_size: int,
    troubleshooters: int,
) -> None:
    """Hand turns on from those with more to those with at least two fewer, along chains of
    hand-overs (`_chain`), until no such chain is left.

    Whoever gives up a seat is free again that week and the weeks beside it: an empty seat there
    goes to the volunteer with fewest turns who may take it (`_fill`), so a hand-over never
    leaves a seat empty that someone could take. Each change lowers the sum of the squared turns
    or fills a seat, so the loop ends.
    """
    while (
        chain := _chain(rota, turns, served, blocked=blocked, homes=homes, draw=draw)
    ) is not None:
        for taker, week, giver in chain:
            teams, trouble = rota[week]
            for seats in [trouble, *teams.values()]:
                if giver in seats:
                    seats[seats.index(giver)] = taker
                    break
            served[giver].discard(week)
            served[taker].add(week)
        turns[chain[0][0]] += 1
        turns[chain[-1][2]] -= 1
        freed = {near for _, week, _ in chain for near in (week - 1, week, week + 1)}
        for week in sorted(freed & set(range(len(rota)))):
            _fill(
                rota,
                week,
                turns,
                served,
                blocked=blocked,
                homes=homes,
                draw=draw,
                team_size=team_size,
                troubleshooters=troubleshooters,
            )


def _fill(
    rota: list[tuple[dict[str, list[int]], list[int]]],
    week: int,
    turns: list[int],
    served: list[set[int]],
    *,
    blocked: list[frozenset[int]],
    homes: list[str | None],
    draw: list[tuple[bytes, str]],
    team_size: int,
    troubleshooters: int,
) -> None:
    """Seat volunteers free that week (available, serving neither it nor the weeks beside it) on
    its empty seats, fewest turns first, as long as one of them may take one."""
    if _open_seat(rota[week], None, team_size, troubleshooters) is _NONE:
        return
    free = sorted(
        (
            p
            for p in range(len(turns))
            if week not in blocked[p] and not served[p] & {week - 1, week, week + 1}
        ),
        key=lambda p: (turns[p], draw[p]),
    )
    for p in free:
        seat = _open_seat(rota[week], homes[p], team_size, troubleshooters)
        if seat is _NONE:
            continue  # every open seat is on their home team
        teams, trouble = rota[week]
        (trouble if seat is None else teams[seat]).append(p)
        served[p].add(week)
        turns[p] += 1
        if _open_seat(rota[week], None, team_size, troubleshooters) is _NONE:
            return


def _chain(
    rota: list[tuple[dict[str, list[int]], list[int]]],
    turns: list[int],
    served: list[set[int]],
    *,
    blocked: list[frozenset[int]],
    homes: list[str | None],
    draw: list[tuple[bytes, str]],
) -> list[tuple[int, int, int]] | None:
    """Hand-overs (taker, week, giver) that give the first taker one turn more and the last
    giver one fewer, the last giver having at least two turns more than the first taker; None
    if there are none.

    A taker may take a giver's seat in a week when available that week, serving neither that week
    nor the one before or after (as the plan stands), and allowed on that seat. Everyone in between
    takes one seat and gives one, so their turns stay. Breadth first from those with fewest
    turns: a volunteer from whom no one richer could be reached is not searched again.
    """
    weeks = len(rota)
    holding: list[dict[int, str | None]] = []  # per week: who holds a seat there, and where
    for teams, trouble in rota:
        held = {p: village for village, team in teams.items() for p in team}
        holding.append(held | dict.fromkeys(trouble))
    reached: set[int] = set()

    def reach(p: int) -> None:
        reached.add(p)
        for week in served[p]:
            holding[week].pop(p, None)

    top = max(turns, default=0)
    for q in sorted(range(len(turns)), key=lambda p: (turns[p], draw[p])):
        if turns[q] + 2 > top:
            return None
        if q in reached:
            continue  # searched from already: nobody richer than them is within reach
        reach(q)
        came_from: dict[int, tuple[int, int]] = {}
        queue = deque([q])
        while queue:
            taker = queue.popleft()
            for week in range(weeks):
                if week in blocked[taker] or served[taker] & {week - 1, week, week + 1}:
                    continue
                for giver, village in list(holding[week].items()):
                    if village is not None and homes[taker] == village:
                        continue
                    reach(giver)
                    came_from[giver] = (taker, week)
                    if turns[giver] >= turns[q] + 2:
                        chain = []
                        while giver != q:
                            taker, week = came_from[giver]
                            chain.append((taker, week, giver))
                            giver = taker
                        return chain[::-1]
                    queue.append(giver)
    return None


_NONE = object()  # no open seat (None is the troubleshooters' seat)


def _open_seat(
    week: tuple[dict[str, list[int]], list[int]],
    home: str | None,
    team_size: int,
    troubleshooters: int,
) -> Any:
    """An empty seat someone living in `home` may take: on the smallest short team, else among
    the troubleshooters (None); `_NONE` if there is none."""
    teams, trouble = week
    short = [v for v, team in teams.items() if len(team) < team_size and v != home]
    if short:
        return min(short, key=lambda v: len(teams[v]))
    return None if len(trouble) < troubleshooters else _NONE


# ---------------------------------------------------------------------------------------------
# Reading the JSON input


def read_input(data: Any) -> dict[str, Any]:
    """The keyword arguments of `plan`, from the object of a `tongxin plan-rota` file.

    Raises InputError for anything malformed; `plan` checks the rest (numbers, names, homes).
    """
    if not isinstance(data, dict):
        raise InputError("not_an_object")
    for key in REQUIRED:
        if key not in data:
            raise InputError("missing_key", {"key": key})
    for key in data:
        if key not in REQUIRED + OPTIONAL:
            raise InputError("unknown_key", {"key": key})
    start = _date(data["start"])
    if start is None:
        raise InputError("bad_date", {"field": "start", "value": _shown(data["start"])})
    villages = data["villages"]
    if not isinstance(villages, list) or not all(isinstance(v, str) for v in villages):
        raise InputError("bad_villages")
    avoid = data.get("avoid_home_village", False)
    if not isinstance(avoid, bool):
        raise InputError("bad_flag", {"field": "avoid_home_village", "value": _shown(avoid)})
    if not isinstance(data["volunteers"], list):
        raise InputError("bad_volunteers")
    return {
        "start": start,
        "weeks": data["weeks"],
        "villages": [village.strip() for village in villages],
        "team_size": data["team_size"],
        "troubleshooters": data["troubleshooters"],
        "volunteers": [
            _volunteer(number, entry) for number, entry in enumerate(data["volunteers"], 1)
        ],
        "avoid_home_village": avoid,
        "seed": data.get("seed", 0),
    }


def _volunteer(number: int, entry: Any) -> Volunteer:
    if (
        not isinstance(entry, dict)
        or not isinstance(entry.get("id"), str)
        or set(entry) - set(VOLUNTEER_KEYS)
        or not isinstance(entry.get("home", ""), str | None)
        or not isinstance(entry.get("unavailable", []), list)
        or not isinstance(entry.get("experienced", False), bool)
    ):
        raise InputError("bad_volunteer", {"number": number})
    unavailable = set()
    for value in entry.get("unavailable", []):
        day = _date(value)
        if day is None:
            raise InputError(
                "bad_unavailable_date", {"id": entry["id"].strip(), "value": _shown(value)}
            )
        unavailable.add(day)
    home = entry.get("home")
    return Volunteer(
        id=entry["id"].strip(),
        home=home.strip() if isinstance(home, str) and home.strip() else None,
        unavailable=frozenset(unavailable),
        experienced=entry.get("experienced", False),
    )


def _date(value: Any) -> date | None:
    """A date written as YYYY-MM-DD, and only so."""
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _shown(value: Any) -> str:
    """A value as the file wrote it, for a message: the string "3" stays quoted, 3 does not."""
    return json.dumps(value, ensure_ascii=False)
