"""`tongxin plan-rota`: the JSON it prints, and one line with status 2 for bad input."""

import io
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from tests.duty.test_rota import violations
from tests.processes import run_tongxin
from tongxin.duty.management.commands.plan_rota import Command
from tongxin.duty.rota import plan, read_input


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def rota_file(**changes) -> dict:
    """Two villages, teams of one and a troubleshooter, two volunteers: too few for every seat."""
    return {
        "start": "2027-01-04",
        "weeks": 2,
        "villages": ["东村", "西村"],
        "team_size": 1,
        "troubleshooters": 1,
        "volunteers": [
            {"id": "陈", "home": "东村", "experienced": True},
            {"id": "王", "home": "西村"},
        ],
        "avoid_home_village": True,
        **changes,
    }


PLANNED = {
    "weeks": [
        {"start": "2027-01-04", "teams": {"东村": ["王"], "西村": ["陈"]}, "troubleshooters": []},
        {"start": "2027-01-11", "teams": {"东村": [], "西村": []}, "troubleshooters": []},
    ],
    "turns": {"陈": 1, "王": 1},
    "unfilled": [
        {"week": "2027-01-04", "role": "troubleshooter", "missing": 1},
        {"week": "2027-01-11", "role": "team", "village": "东村", "missing": 1},
        {"week": "2027-01-11", "role": "team", "village": "西村", "missing": 1},
        {"week": "2027-01-11", "role": "troubleshooter", "missing": 1},
    ],
}


def write(tmp_path, data) -> str:
    path = tmp_path / "rota.json"
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return str(path)


def planned(tmp_path, data) -> dict:
    out = io.StringIO()
    call_command("plan_rota", write(tmp_path, data), stdout=out)
    return json.loads(out.getvalue())


def refused(tmp_path, data) -> str:
    with pytest.raises(CommandError) as error:
        call_command("plan_rota", write(tmp_path, data), stdout=io.StringIO())
    assert error.value.returncode == 2
    message = str(error.value)
    assert "\n" not in message
    return message.replace(f"{tmp_path}/", "")


def test_prints_the_rota_in_the_shape_of_the_issue(tmp_path):
    assert planned(tmp_path, rota_file()) == PLANNED


def test_the_issue_example_plans_a_quarter(tmp_path):
    villages = [f"村{n:02d}" for n in range(12)]
    data = {
        "start": "2027-01-04",
        "weeks": 13,
        "villages": villages,
        "team_size": 3,
        "troubleshooters": 1,
        "volunteers": [
            {"id": f"党员{n:03d}", "home": villages[n % 12], "unavailable": ["2027-01-11"]}
            if n % 10 == 0
            else {"id": f"党员{n:03d}", "home": villages[n % 12]}
            for n in range(104)
        ],
        "avoid_home_village": True,
    }
    result = planned(tmp_path, data)

    assert [week["start"] for week in result["weeks"]][:3] == [
        "2027-01-04",
        "2027-01-11",
        "2027-01-18",
    ]
    assert result["unfilled"] == []
    assert all(len(team) == 3 for week in result["weeks"] for team in week["teams"].values())
    assert sorted(set(result["turns"].values())) == [4, 5]
    # The printed rota is the planner's, and keeps every rule.
    asked = read_input(data)
    rota = plan(**asked)
    assert violations(asked, rota) == []
    assert [week.teams for week in rota.weeks] == [
        {v: tuple(team) for v, team in week["teams"].items()} for week in result["weeks"]
    ]


def test_chinese_names_are_printed_as_they_are(tmp_path):
    out = io.StringIO()
    call_command("plan_rota", write(tmp_path, rota_file()), stdout=out)
    assert '"东村": [\n' in out.getvalue()  # ensure_ascii=False, indent 2
    assert out.getvalue().startswith('{\n  "weeks": [')


def test_reads_standard_input():
    out = io.StringIO()
    call_command("plan_rota", "-", stdin=io.StringIO(json.dumps(rota_file())), stdout=out)
    assert json.loads(out.getvalue()) == PLANNED


def test_the_help_says_what_an_unfilled_entry_looks_like():
    help_text = Command().create_parser("tongxin", "plan_rota").format_help()
    assert '"role": "troubleshooter", "missing": 1}' in " ".join(help_text.split())


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("{not json", "rota.json is not valid JSON (line 1, column 2)."),
        ("[" * 100_000, "rota.json is nested too deeply."),
        ("[]", "The file must hold one JSON object, the rota to plan."),
        (
            {k: v for k, v in rota_file().items() if k != "weeks"},
            "The key “weeks” is missing.",
        ),
        (rota_file(avoid_home=True), "Unknown key “avoid_home”."),
        (
            rota_file(start="2027-02-30"),
            '“start” must be a date written as YYYY-MM-DD, not "2027-02-30".',
        ),
        (
            rota_file(start="4.1.2027"),
            '“start” must be a date written as YYYY-MM-DD, not "4.1.2027".',
        ),
        (rota_file(weeks=0), "“weeks” must be a whole number from 1 to 520, not 0."),
        (rota_file(weeks="13"), '“weeks” must be a whole number from 1 to 520, not "13".'),
        (rota_file(weeks=13.0), "“weeks” must be a whole number from 1 to 520, not 13.0."),
        (rota_file(team_size=0), "“team_size” must be a whole number of at least 1, not 0."),
        (
            rota_file(troubleshooters=None),
            "“troubleshooters” must be a whole number of at least 0, not null.",
        ),
        (rota_file(seed=1.5), "“seed” must be a whole number, not 1.5."),
        (
            rota_file(avoid_home_village="yes"),
            '“avoid_home_village” must be true or false, not "yes".',
        ),
        (rota_file(villages="东村"), "“villages” must be a list of village names."),
        (rota_file(villages=[]), "“villages” must name at least one village."),
        (rota_file(villages=["东村", ""]), "A village in “villages” has no name."),
        (
            rota_file(villages=["东村", "西村", "东村"]),
            "The village “东村” is listed twice.",
        ),
        (rota_file(volunteers={"陈": {}}), "“volunteers” must be a list of volunteers."),
        (
            rota_file(volunteers=[{"id": "陈"}, {"name": "王"}]),
            (
                "Volunteer 2 must be an object with “id” (a name) and, if any, “home” "
                "(a village), “unavailable” (a list of dates) and “experienced” (true or false)."
            ),
        ),
        (rota_file(volunteers=[{"id": " "}]), "Volunteer 1 has an empty “id”."),
        (
            rota_file(volunteers=[{"id": "陈"}, {"id": "陈", "home": "西村"}]),
            "The volunteer id “陈” is used twice.",
        ),
        (
            rota_file(volunteers=[{"id": "陈", "home": "北村"}]),
            "Volunteer “陈” has the home village “北村”, which is not in “villages”.",
        ),
        (
            rota_file(volunteers=[{"id": "陈", "unavailable": ["2027-01-05", "5 Jan"]}]),
            'Volunteer “陈” has the unavailable date "5 Jan": write dates as YYYY-MM-DD.',
        ),
        (
            # A name with a line break must not forge a second line.
            rota_file(villages=["东\n村", "东\n村"]),
            "The village “东 村” is listed twice.",
        ),
    ],
)
def test_bad_input_is_one_line_and_status_two(tmp_path, data, message):
    assert refused(tmp_path, data) == message


def test_a_missing_file(tmp_path):
    with pytest.raises(CommandError) as error:
        call_command("plan_rota", str(tmp_path / "none.json"), stdout=io.StringIO())
    assert error.value.returncode == 2
    assert str(error.value).startswith("Cannot read ")


def test_from_the_console(sqlite_site, tmp_path):
    path = write(tmp_path, rota_file())
    good = run_tongxin("plan-rota", path, data_dir=sqlite_site, check=False)
    assert (good.returncode, good.stderr) == (0, "")
    assert json.loads(good.stdout) == PLANNED

    for bad, named in [
        (rota_file(start="2027-13-01"), "2027-13-01"),
        (rota_file(volunteers=[{"id": "陈", "home": "北村"}]), "北村"),
        (rota_file(volunteers=[{"id": "陈"}, {"id": "陈"}]), "陈"),
        ("{not json", "rota.json"),
    ]:
        refused_ = run_tongxin("plan-rota", write(tmp_path, bad), data_dir=sqlite_site, check=False)
        assert (refused_.returncode, refused_.stdout) == (2, ""), bad
        # The message is in the site's language: it names the problem, on one line.
        assert refused_.stderr.startswith("CommandError: ") and named in refused_.stderr
        assert len(refused_.stderr.splitlines()) == 1 and "Traceback" not in refused_.stderr


def test_the_command_prints_every_week_from_the_start(tmp_path):
    result = planned(tmp_path, rota_file(start="2027-01-06", weeks=3))  # a Wednesday
    assert [week["start"] for week in result["weeks"]] == [
        date(2027, 1, 6).isoformat(),
        "2027-01-13",
        "2027-01-20",
    ]
