"""Planning a duty rota (issue 6): worked examples, then properties.

Every plan here is read by `violations`, a checker written apart from the planner: it replays
the weeks and reports, in words, each rule the plan breaks.
"""

import random
from collections import Counter
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tongxin.duty.rota import (
    MAX_WEEKS,
    Gap,
    InputError,
    Plan,
    Problem,
    Volunteer,
    plan,
    read_input,
)

MONDAY = date(2027, 1, 4)


def volunteer(
    id_: str, home: str | None = None, off: tuple[str, ...] = (), experienced: bool = False
):
    return Volunteer(id_, home, frozenset(date.fromisoformat(day) for day in off), experienced)


def request(**changes) -> dict:
    """Two villages, teams of two, one troubleshooter, four weeks from a Monday."""
    base = {
        "start": MONDAY,
        "weeks": 4,
        "villages": ["东村", "西村"],
        "team_size": 2,
        "troubleshooters": 1,
        "volunteers": [volunteer(f"v{n:02d}") for n in range(12)],
        "avoid_home_village": False,
    }
    return base | changes


# --- The independent checker ----------------------------------------------------------------


def violations(asked: dict, rota: Plan) -> list[str]:
    """Each rule of issue 6 (and of the module's promise on turns) that `rota` breaks."""
    start, villages = asked["start"], list(asked["villages"])
    team_size, troubleshooters = asked["team_size"], asked["troubleshooters"]
    avoid = asked.get("avoid_home_village", False)
    people = {person.id: person for person in asked["volunteers"]}
    found: list[str] = []
    if len(rota.weeks) != asked["weeks"]:
        found.append(f"{len(rota.weeks)} weeks planned, {asked['weeks']} asked")
    turns: Counter[str] = Counter()
    previous: set[str] = set()
    gaps: list[tuple[date, str | None, int]] = []
    for index, week in enumerate(rota.weeks):
        begin = start + timedelta(weeks=index)
        days = {begin + timedelta(days=n) for n in range(7)}
        if week.start != begin:
            found.append(f"week {index} starts {week.start}, not {begin}")
        if list(week.teams) != villages:
            found.append(f"week {begin}: teams {list(week.teams)}, villages {villages}")
        serving = [i for team in week.teams.values() for i in team] + list(week.troubleshooters)
        for i, times in Counter(serving).items():
            if times > 1:
                found.append(f"week {begin}: {i} serves {times} times")
        if unknown := set(serving) - set(people):
            found.append(f"week {begin}: unknown volunteers {sorted(unknown)}")
            continue
        for i in serving:
            if people[i].unavailable & days:
                found.append(f"week {begin}: {i} is unavailable")
            if i in previous:
                found.append(f"week {begin}: {i} served the week before")
        for village, team in week.teams.items():
            if avoid and any(people[i].home == village for i in team):
                found.append(f"week {begin}: someone serves in their home village {village}")
            if len(team) > team_size:
                found.append(f"week {begin}: {village} has {len(team)} members")
            elif len(team) < team_size:
                gaps.append((begin, village, team_size - len(team)))
        if len(week.troubleshooters) > troubleshooters:
            found.append(f"week {begin}: {len(week.troubleshooters)} troubleshooters")
        elif len(week.troubleshooters) < troubleshooters:
            gaps.append((begin, None, troubleshooters - len(week.troubleshooters)))

        for i in serving:
            turns[i] += 1
        previous = set(serving)

    # Turns: nobody holds a seat that someone with two turns fewer could take instead, and no
    # seat is empty that someone could take. "Could take": available that week, serving neither
    # that week nor the one before or after, and not living in the seat's village when avoiding.
    weeks = [served(week) for week in rota.weeks]
    for index, week in enumerate(rota.weeks):
        days = {week.start + timedelta(days=n) for n in range(7)}
        around = set().union(*weeks[max(0, index - 1) : index + 2])
        free = [i for i in people if i not in around and not people[i].unavailable & days]
        free.sort(key=lambda i: turns[i])

        def fewest_turns_taking(village: str | None, free: list[str] = free) -> str | None:
            """Of those free that week, the one with fewest turns who may sit in `village`."""
            for i in free:
                if not (avoid and village is not None and people[i].home == village):
                    return i
            return None

        seats_held = [(v, i) for v, team in week.teams.items() for i in team]
        seats_held += [(None, i) for i in week.troubleshooters]
        for village, holder in seats_held:
            i = fewest_turns_taking(village)
            if i is not None and turns[holder] - turns[i] >= 2:
                found.append(f"week {week.start}: {i} could take a turn of {holder}")
        short = [v for v, team in week.teams.items() if len(team) < team_size]
        short += [None] if len(week.troubleshooters) < troubleshooters else []
        for village in short:
            if (i := fewest_turns_taking(village)) is not None:
                found.append(f"week {week.start}: {i} could take an empty seat ({village})")

    if list(rota.turns) != [person.id for person in asked["volunteers"]]:
        found.append("turns do not list every volunteer in order")
    if dict(rota.turns) != {i: turns[i] for i in people}:
        found.append(f"turns {dict(rota.turns)} are not the turns served {dict(turns)}")
    if [(gap.week, gap.village, gap.missing) for gap in rota.unfilled] != gaps:
        found.append(f"unfilled {rota.unfilled} are not the gaps {gaps}")
    return found


def chain_violations(asked: dict, rota: Plan) -> list[str]:
    """The module's promise on turns: no chain of hand-overs (q takes a seat of x1, x1 one of
    x2's, ...) leads from anyone to someone with two turns more. One may take a seat of another
    in a week when available, serving neither that week nor the one before or after, and allowed
    on that seat (not their home village's team, when avoiding)."""
    people = {person.id: person for person in asked["volunteers"]}
    avoid = asked.get("avoid_home_village", False)
    serving = [served(week) for week in rota.weeks]
    takes: dict[str, set[str]] = {i: set() for i in people}
    for index, week in enumerate(rota.weeks):
        days = {week.start + timedelta(days=n) for n in range(7)}
        around = set().union(*serving[max(0, index - 1) : index + 2])
        seats = [(v, x) for v, team in week.teams.items() for x in team]
        seats += [(None, x) for x in week.troubleshooters]
        for i, person in people.items():
            if i in around or person.unavailable & days:
                continue
            takes[i] |= {x for v, x in seats if not (avoid and person.home == v)}
    found = []
    for q in people:
        reached, frontier = {q}, [q]
        while frontier:
            frontier = [x for y in frontier for x in takes[y] if x not in reached]
            reached |= set(frontier)
        if richer := [x for x in reached if rota.turns[x] >= rota.turns[q] + 2]:
            found.append(f"{q} ({rota.turns[q]} turns) could take a turn of {richer}")
    return found


def mixing_violations(asked: dict, rota: Plan) -> list[str]:
    """Experienced volunteers (marked, or served before in this plan) dealt one per team in turn:
    every team has one before a troubleshooter has one, and before any team has a second."""
    experienced = {person.id for person in asked["volunteers"] if person.experienced}
    found = []
    for week in rota.weeks:
        teams = {v: team for v, team in week.teams.items() if team}
        counts = {v: sum(i in experienced for i in team) for v, team in teams.items()}
        if any(i in experienced for i in week.troubleshooters) and 0 in counts.values():
            found.append(f"week {week.start}: an experienced troubleshooter, a team without one")
        if any(n >= 2 for n in counts.values()) and (
            0 in counts.values() or not all(i in experienced for i in week.troubleshooters)
        ):
            found.append(f"week {week.start}: a team with two experienced, not all have one")
        for a in teams:
            for b, team in teams.items():
                if counts[a] > counts[b] + 1 and counts[b] < len(team):
                    found.append(
                        f"week {week.start}: {a} has {counts[a]} experienced, {b} {counts[b]}"
                    )
        experienced |= {i for team in week.teams.values() for i in team}
        experienced |= set(week.troubleshooters)
    return found


def served(week) -> set[str]:
    return {i for team in week.teams.values() for i in team} | set(week.troubleshooters)


# --- Worked examples ------------------------------------------------------------------------


def test_four_volunteers_for_one_team_of_two_alternate():
    asked = request(villages=["东村"], troubleshooters=0, volunteers=[volunteer(i) for i in "abcd"])
    rota = plan(**asked)

    assert violations(asked, rota) == []
    first, second = served(rota.weeks[0]), served(rota.weeks[1])
    assert len(first) == 2 and second == set("abcd") - first  # nobody twice running
    assert [served(week) for week in rota.weeks] == [first, second, first, second]
    assert rota.turns == {"a": 2, "b": 2, "c": 2, "d": 2}
    assert [week.start for week in rota.weeks] == [
        date(2027, 1, 4),
        date(2027, 1, 11),
        date(2027, 1, 18),
        date(2027, 1, 25),
    ]
    assert rota.unfilled == ()


def test_a_short_week_is_reported_never_dropped():
    # c cannot serve the first week; a and b, who do, must rest the second: c alone is left.
    asked = request(
        weeks=2,
        villages=["东村"],
        troubleshooters=0,
        volunteers=[volunteer("a"), volunteer("b"), volunteer("c", off=("2027-01-10",))],
    )
    rota = plan(**asked)

    assert violations(asked, rota) == []
    assert rota.weeks[0].teams == {"东村": ("a", "b")} or rota.weeks[0].teams == {
        "东村": ("b", "a")
    }
    assert rota.weeks[1].teams == {"东村": ("c",)}
    assert rota.unfilled == (Gap(date(2027, 1, 11), "东村", 1),)
    assert rota.turns == {"a": 1, "b": 1, "c": 1}


def test_an_unavailable_day_anywhere_in_the_week_keeps_a_volunteer_off_that_week():
    # Weeks run seven days from the start, whatever the weekday: Wednesday to Tuesday here.
    wednesday = date(2027, 1, 6)
    asked = request(
        start=wednesday,
        weeks=1,
        villages=["东村"],
        team_size=1,
        troubleshooters=0,
        volunteers=[volunteer("a", off=("2027-01-12",)), volunteer("b", off=("2027-01-05",))],
    )
    rota = plan(**asked)
    assert rota.weeks[0].start == wednesday
    assert rota.weeks[0].teams == {
        "东村": ("b",)
    }  # 5 January is before the plan: it does not count


def test_the_home_village_is_avoided_when_asked():
    two = [volunteer("x", home="东村"), volunteer("y", home="西村")]
    asked = request(
        weeks=1, team_size=1, troubleshooters=0, volunteers=two, avoid_home_village=True
    )
    assert plan(**asked).weeks[0].teams == {"东村": ("y",), "西村": ("x",)}
    assert violations(asked, plan(**asked)) == []


def test_residents_of_the_only_village_can_still_be_troubleshooters():
    locals_ = [volunteer(i, home="东村") for i in "abcd"]
    asked = request(
        villages=["东村"],
        team_size=3,
        troubleshooters=1,
        volunteers=locals_,
        avoid_home_village=True,
    )
    rota = plan(**asked)

    assert violations(asked, rota) == []
    assert [week.teams for week in rota.weeks] == [{"东村": ()}] * 4
    assert [len(week.troubleshooters) for week in rota.weeks] == [1, 1, 1, 1]
    assert rota.turns == {"a": 1, "b": 1, "c": 1, "d": 1}  # each in turn, fewest turns first
    assert rota.unfilled == tuple(Gap(MONDAY + timedelta(weeks=n), "东村", 3) for n in range(4))

    # Without the rule they make one full week, and the next nobody is left.
    anyone = plan(**(asked | {"avoid_home_village": False, "weeks": 2}))
    assert len(anyone.weeks[0].teams["东村"]) == 3 and len(anyone.weeks[0].troubleshooters) == 1
    assert anyone.unfilled == (
        Gap(date(2027, 1, 11), "东村", 3),
        Gap(date(2027, 1, 11), None, 1),
    )


def test_a_short_week_fills_every_village_before_second_members_and_troubleshooters():
    asked = request(
        weeks=2, villages=["东村", "西村", "南村"], volunteers=[volunteer(i) for i in "abcd"]
    )
    rota = plan(**asked)

    assert violations(asked, rota) == []
    assert [len(team) for team in rota.weeks[0].teams.values()] == [2, 1, 1]
    assert rota.weeks[0].troubleshooters == ()
    # The village first served turns with the weeks: 西村 gets its second member in week two.
    assert rota.weeks[1].teams == {"东村": (), "西村": (), "南村": ()}  # all four rest
    eleven = plan(**(asked | {"volunteers": [volunteer(i) for i in "abcdefghijk"]}))
    assert [len(team) for team in eleven.weeks[0].teams.values()] == [2, 2, 2]
    assert [len(team) for team in eleven.weeks[1].teams.values()] == [1, 2, 1]


def test_huge_numbers_of_seats_cost_no_more_than_the_volunteers_to_fill_them():
    asked = request(
        team_size=10**9, troubleshooters=10**9, volunteers=[volunteer(i) for i in "abc"]
    )
    rota = plan(**asked)
    assert violations(asked, rota) == []
    assert rota.unfilled[:3] == (
        Gap(MONDAY, "东村", 10**9 - 2),
        Gap(MONDAY, "西村", 10**9 - 1),
        Gap(MONDAY, None, 10**9),
    )


def test_each_team_gets_an_experienced_volunteer():
    people = [volunteer(f"new{n}") for n in range(6)] + [
        volunteer(f"old{n}", experienced=True) for n in range(3)
    ]
    asked = request(
        weeks=1,
        villages=["东村", "西村", "南村"],
        team_size=3,
        troubleshooters=0,
        volunteers=people,
    )
    teams = plan(**asked).weeks[0].teams
    assert [sum(i.startswith("old") for i in team) for team in teams.values()] == [1, 1, 1]


def test_among_tied_volunteers_the_experienced_come_first_until_every_team_has_one():
    people = [volunteer(f"new{n}") for n in range(20)] + [
        volunteer("old1", experienced=True),
        volunteer("old2", experienced=True),
    ]
    asked = request(weeks=1, troubleshooters=0, volunteers=people)
    teams = plan(**asked).weeks[0].teams
    assert [sum(i.startswith("old") for i in team) for team in teams.values()] == [1, 1]


def test_a_quarter_of_thirteen_weeks():
    rng = random.Random(13)
    villages = ["东村", "西村", "南村", "北村"]
    people = [
        volunteer(
            f"v{n:02d}",
            home=rng.choice(villages + [None]),
            off=tuple(
                str(MONDAY + timedelta(days=rng.randrange(91))) for _ in range(rng.randrange(4))
            ),
            experienced=n % 4 == 0,
        )
        for n in range(34)
    ]
    asked = request(
        weeks=13,
        villages=villages,
        team_size=3,
        troubleshooters=1,
        volunteers=people,
        avoid_home_village=True,
    )
    rota = plan(**asked)

    assert violations(asked, rota) == []
    assert chain_violations(asked, rota) == []
    assert rota.unfilled == ()
    assert sum(rota.turns.values()) == 13 * 13
    assert max(rota.turns.values()) - min(rota.turns.values()) <= 1
    for week in rota.weeks:
        assert all(len(team) == 3 for team in week.teams.values())


def test_done_when_a_quarter_for_104_volunteers_keeps_every_rule():
    """Issue 6: an organisation plans a quarter for 104 volunteers across its villages."""
    rng = random.Random(104)
    villages = [f"{name}村" for name in "东西南北金银玉石松竹梅兰"]
    people = [
        volunteer(
            f"党员{n:03d}",
            home=villages[n % 12],
            off=tuple(
                str(MONDAY + timedelta(days=rng.randrange(91))) for _ in range(rng.randrange(3))
            ),
            experienced=n % 3 == 0,
        )
        for n in range(104)
    ]
    asked = request(
        weeks=13,
        villages=villages,
        team_size=3,
        troubleshooters=1,
        volunteers=people,
        avoid_home_village=True,
    )
    rota = plan(**asked)

    assert violations(asked, rota) == []
    assert chain_violations(asked, rota) == []
    assert rota.unfilled == ()
    assert sum(rota.turns.values()) == 13 * 37
    assert sorted(Counter(rota.turns.values())) == [4, 5]  # 481 turns among 104: 4 or 5 each
    experienced = {person.id for person in people if person.experienced}
    for week in rota.weeks:  # every team has someone who has done it before
        assert all(set(team) & experienced for team in week.teams.values()), week.start
        experienced |= served(week)


def test_the_plan_does_not_depend_on_the_order_of_the_volunteers():
    asked = request(volunteers=[volunteer(f"v{n}", experienced=n % 5 == 0) for n in range(15)])
    shuffled = list(asked["volunteers"])
    random.Random(1).shuffle(shuffled)
    one, other = plan(**asked), plan(**(asked | {"volunteers": shuffled}))
    assert one.weeks == other.weeks and one.unfilled == other.unfilled
    assert dict(one.turns) == dict(other.turns)
    assert plan(**asked) == one  # and the same input gives the same plan


def test_another_seed_draws_the_ties_differently():
    asked = request(volunteers=[volunteer(f"v{n}") for n in range(30)])
    plans = [plan(**(asked | {"seed": seed})).weeks for seed in range(3)]
    assert plans[0] != plans[1] and plans[1] != plans[2]


def test_fifty_two_weeks_for_2500_volunteers_in_300_villages():
    rng = random.Random(2500)
    villages = [f"村{n:03d}" for n in range(300)]
    people = [
        volunteer(
            f"v{n:04d}",
            home=rng.choice(villages),
            off=tuple(
                str(MONDAY + timedelta(days=rng.randrange(364))) for _ in range(rng.randrange(4))
            ),
            experienced=rng.random() < 0.3,
        )
        for n in range(2500)
    ]
    asked = request(
        weeks=52,
        villages=villages,
        team_size=3,
        troubleshooters=5,
        volunteers=people,
        avoid_home_village=True,
    )
    rota = plan(**asked)
    assert violations(asked, rota) == []
    assert rota.unfilled == ()
    assert max(rota.turns.values()) - min(rota.turns.values()) <= 1


# --- Input problems -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        (
            {"weeks": 0},
            Problem("bad_number", {"field": "weeks", "value": "0", "low": 1, "high": MAX_WEEKS}),
        ),
        (
            {"weeks": MAX_WEEKS + 1},
            Problem("bad_number", {"field": "weeks", "value": "521", "low": 1, "high": MAX_WEEKS}),
        ),
        (
            {"weeks": True},
            Problem("bad_number", {"field": "weeks", "value": "true", "low": 1, "high": MAX_WEEKS}),
        ),
        (
            {"team_size": 0},
            Problem("bad_number", {"field": "team_size", "value": "0", "low": 1, "high": None}),
        ),
        (
            {"troubleshooters": -1},
            Problem(
                "bad_number", {"field": "troubleshooters", "value": "-1", "low": 0, "high": None}
            ),
        ),
        (
            {"seed": "1"},
            Problem("bad_number", {"field": "seed", "value": '"1"', "low": None, "high": None}),
        ),
        ({"villages": []}, Problem("no_villages")),
        ({"villages": ["东村", " "]}, Problem("unnamed_village")),
        ({"villages": ["东村", "西村", "东村"]}, Problem("duplicate_village", {"village": "东村"})),
        (
            {"volunteers": [volunteer("a"), volunteer("")]},
            Problem("unnamed_volunteer", {"number": 2}),
        ),
        ({"volunteers": [volunteer("a"), volunteer("a")]}, Problem("duplicate_id", {"id": "a"})),
        (
            {"volunteers": [volunteer("a", home="北村")]},
            Problem("unknown_home_village", {"id": "a", "home": "北村"}),
        ),
    ],
)
def test_inconsistent_input_is_refused_with_a_code(changes, problem):
    with pytest.raises(InputError) as refused:
        plan(**request(**changes))
    assert refused.value.problem == problem


def as_file(**changes) -> dict:
    base = {
        "start": "2027-01-04",
        "weeks": 2,
        "villages": ["东村", "西村"],
        "team_size": 1,
        "troubleshooters": 0,
        "volunteers": [
            {"id": "a", "home": "东村", "unavailable": ["2027-01-05"], "experienced": True},
            {"id": " b ", "home": " 西村"},
            {"id": "c", "home": ""},
        ],
    }
    return base | changes


def test_read_input_gives_the_arguments_of_plan():
    assert read_input(as_file(avoid_home_village=True, seed=7)) == {
        "start": MONDAY,
        "weeks": 2,
        "villages": ["东村", "西村"],
        "team_size": 1,
        "troubleshooters": 0,
        "volunteers": [
            volunteer("a", "东村", ("2027-01-05",), experienced=True),
            volunteer("b", "西村"),  # names are trimmed
            volunteer("c"),  # an empty home is no home
        ],
        "avoid_home_village": True,
        "seed": 7,
    }
    assert read_input(as_file())["avoid_home_village"] is False


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ([], Problem("not_an_object")),
        (
            {k: v for k, v in as_file().items() if k != "villages"},
            Problem("missing_key", {"key": "villages"}),
        ),
        (as_file(avoid_home=True), Problem("unknown_key", {"key": "avoid_home"})),
        (
            as_file(start="2027-02-30"),
            Problem("bad_date", {"field": "start", "value": '"2027-02-30"'}),
        ),
        (as_file(start="2027-1-4"), Problem("bad_date", {"field": "start", "value": '"2027-1-4"'})),
        (as_file(start=20270104), Problem("bad_date", {"field": "start", "value": "20270104"})),
        (as_file(villages="东村"), Problem("bad_villages")),
        (as_file(villages=["东村", 3]), Problem("bad_villages")),
        (
            as_file(avoid_home_village="yes"),
            Problem("bad_flag", {"field": "avoid_home_village", "value": '"yes"'}),
        ),
        (as_file(volunteers={"a": {}}), Problem("bad_volunteers")),
        (as_file(volunteers=[{"id": "a"}, "b"]), Problem("bad_volunteer", {"number": 2})),
        (as_file(volunteers=[{"id": 7}]), Problem("bad_volunteer", {"number": 1})),
        (as_file(volunteers=[{"id": "a", "name": "陈"}]), Problem("bad_volunteer", {"number": 1})),
        (
            as_file(volunteers=[{"id": "a", "experienced": "yes"}]),
            Problem("bad_volunteer", {"number": 1}),
        ),
        (
            as_file(volunteers=[{"id": "a", "unavailable": "2027-01-05"}]),
            Problem("bad_volunteer", {"number": 1}),
        ),
        (
            as_file(volunteers=[{"id": "a", "unavailable": ["2027-01-05", "5 Jan"]}]),
            Problem("bad_unavailable_date", {"id": "a", "value": '"5 Jan"'}),
        ),
    ],
)
def test_malformed_input_is_refused_with_a_code(data, problem):
    with pytest.raises(InputError) as refused:
        read_input(data)
    assert refused.value.problem == problem


# --- Properties -----------------------------------------------------------------------------


@st.composite
def requests(draw, *, everyone_available=False):
    """Small rotas; with `everyone_available`, nobody is ever unavailable and there are at least
    twice as many volunteers as seats in a week."""
    villages = [f"村{n}" for n in range(draw(st.integers(1, 4)))]
    team_size = draw(st.integers(1, 3))
    troubleshooters = draw(st.integers(0, 2))
    seats = len(villages) * team_size + troubleshooters
    weeks = draw(st.integers(1, 8))
    start = MONDAY + timedelta(days=draw(st.integers(0, 6)))
    days = st.integers(-3, 7 * weeks + 3).map(lambda n: start + timedelta(days=n))
    people = []
    size = st.integers(2 * seats, 2 * seats + 8) if everyone_available else st.integers(0, 24)
    for n in range(draw(size)):
        people.append(
            Volunteer(
                f"v{n}",
                draw(st.sampled_from([None, *villages])),
                frozenset() if everyone_available else frozenset(draw(st.lists(days, max_size=4))),
                draw(st.booleans()),
            )
        )
    return {
        "start": start,
        "weeks": weeks,
        "villages": villages,
        "team_size": team_size,
        "troubleshooters": troubleshooters,
        "volunteers": people,
        "avoid_home_village": draw(st.booleans()),
        "seed": draw(st.integers(0, 3)),
    }


@given(requests())
def test_every_rule_holds(asked):
    rota = plan(**asked)
    assert violations(asked, rota) == []
    assert chain_violations(asked, rota) == []


@given(requests(everyone_available=True))
def test_experienced_volunteers_are_dealt_one_per_team_in_turn(asked):
    # Promised as dealt week by week: keeping people off their home team, and handing turns
    # on to even them out, may move an experienced volunteer; neither happens here.
    asked["avoid_home_village"] = False
    assert mixing_violations(asked, plan(**asked)) == []


@given(requests(), st.data())
def test_an_unavailable_date_never_breaks_a_rule(asked, data):
    if not asked["volunteers"]:
        return
    index = data.draw(st.integers(0, len(asked["volunteers"]) - 1))
    day = asked["start"] + timedelta(days=data.draw(st.integers(0, 7 * asked["weeks"] - 1)))
    person = asked["volunteers"][index]
    busier = Volunteer(person.id, person.home, person.unavailable | {day}, person.experienced)
    asked["volunteers"][index] = busier
    rota = plan(**asked)

    assert violations(asked, rota) == []
    assert person.id not in served(rota.weeks[(day - asked["start"]).days // 7])


@given(requests(), st.randoms(use_true_random=False))
def test_the_order_of_the_volunteers_changes_nothing(asked, shuffler):
    shuffled = list(asked["volunteers"])
    shuffler.shuffle(shuffled)
    one, other = plan(**asked), plan(**(asked | {"volunteers": shuffled}))
    assert (one.weeks, one.unfilled, dict(one.turns)) == (
        other.weeks,
        other.unfilled,
        dict(other.turns),
    )


@given(requests(everyone_available=True))
def test_turns_differ_by_at_most_one_when_everyone_is_always_available(asked):
    seats = len(asked["villages"]) * asked["team_size"] + asked["troubleshooters"]
    homes = Counter(person.home for person in asked["volunteers"] if person.home is not None)
    if asked["avoid_home_village"] and max(homes.values(), default=0) > seats - asked["team_size"]:
        asked["avoid_home_village"] = False  # the promise needs no village home to that many
    rota = plan(**asked)
    assert rota.unfilled == ()
    assert max(rota.turns.values()) - min(rota.turns.values()) <= 1
