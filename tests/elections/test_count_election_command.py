"""`tongxin count-election`: the JSON it prints, and one line with status 2 for bad input."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from tests.processes import run_tongxin

CANDIDATES = ["张伟", "王芳", "李娜", "刘洋"]


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def marks(letters: str, candidates: list[str] = CANDIDATES) -> dict[str, str]:
    words = {"A": "approve", "D": "disapprove", "-": "abstain"}
    return {name: words[letter] for name, letter in zip(candidates, letters)}


def election(**changes) -> dict:
    """A party branch electing 3 of 4, 45 of 50 present: 张伟 and 王芳 pass, 李娜 at 22 does not."""
    return {
        "rules": "party_branch",
        "seats": 3,
        "candidates": CANDIDATES,
        "voters_due": 50,
        "voters_present": 45,
        "ballots": [{"marks": marks("AAA-"), "write_ins": []}] * 22
        + [{"marks": marks("AAD-"), "write_ins": ["赵敏"]}] * 21
        + [{"marks": marks("AAAA"), "write_ins": []}] * 2,
        **changes,
    }


def count(tmp_path, data) -> dict:
    path = tmp_path / "election.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    out = io.StringIO()
    call_command("count_election", str(path), stdout=out)
    return json.loads(out.getvalue())


def refused(tmp_path, data) -> str:
    path = tmp_path / "election.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("count_election", str(path), stdout=io.StringIO())
    assert error.value.returncode == 2
    message = str(error.value)
    assert "\n" not in message
    return message.replace(f"{tmp_path}/", "")


def test_prints_the_result_in_the_documented_shape(tmp_path):
    assert count(tmp_path, election()) == {
        "status": "further_round",
        "reason": "1 seat is not filled, as too few candidates received the 23 votes needed: "
        "a further election among the candidates not elected, unless the electors reduce "
        "the seats.",
        "ballots": {"returned": 45, "valid": 43, "invalid": 2},
        "tally": {"张伟": 43, "王芳": 43, "李娜": 22, "刘洋": 0, "赵敏": 21},
        "elected": ["张伟", "王芳"],
        "tied": [],
        "unfilled_seats": 1,
    }


def test_chinese_names_are_printed_as_they_are(tmp_path):
    path = tmp_path / "election.json"
    path.write_text(json.dumps(election()), encoding="utf-8")
    out = io.StringIO()
    call_command("count_election", str(path), stdout=out)
    assert '"张伟": 43' in out.getvalue()  # ensure_ascii=False, indent 2
    assert out.getvalue().startswith('{\n  "status": "further_round",')


def test_every_seat_filled(tmp_path):
    result = count(tmp_path, election(voters_present=43, ballots=election()["ballots"][:43]))
    # 43 present: 22 needed, and 李娜 has 22.
    assert (result["status"], result["reason"], result["elected"]) == (
        "elected",
        "All 3 seats are filled.",
        ["张伟", "王芳", "李娜"],
    )


def test_a_tie_goes_to_a_further_vote(tmp_path):
    ballots = (
        [{"marks": marks("AA--")}] * 15
        + [{"marks": marks("A-A-")}] * 15
        + [{"marks": marks("-AA-")}] * 15
    )
    result = count(tmp_path, election(seats=2, ballots=ballots))
    assert (result["status"], result["elected"], result["tied"], result["unfilled_seats"]) == (
        "further_round",
        [],
        ["张伟", "王芳", "李娜"],
        2,
    )
    assert result["tally"] == {"张伟": 30, "王芳": 30, "李娜": 30, "刘洋": 0}
    assert result["reason"] == (
        "Candidates are tied at the cut-off: a further vote among the 3 tied candidates "
        "decides 2 seats."
    )
    tied = ["张伟", "王芳", "李娜"]
    tie_break = {
        "rules": "party_branch",
        "round": "tie_break",
        "seats": 2,
        "candidates": tied,
        "voters_due": 50,
        "voters_present": 45,
        "ballots": [{"marks": marks("AA-", tied)}] * 3 + [{"marks": marks("-AA", tied)}] * 2,
    }
    assert count(tmp_path, tie_break)["elected"] == ["王芳", "张伟"]


@pytest.mark.parametrize(
    ("changes", "status", "reason"),
    [
        (
            {"voters_present": 40, "ballots": []},
            "no_quorum",
            "No quorum: 40 of the 50 voters due are present, and at least 41 are needed.",
        ),
        (
            {"voters_present": 44},
            "void",
            "More ballots were returned (45) than voters were present (44): the election is void.",
        ),
    ],
)
def test_no_quorum_and_void(tmp_path, changes, status, reason):
    result = count(tmp_path, election(**changes))
    assert (result["status"], result["reason"], result["elected"], result["tally"]) == (
        status,
        reason,
        [],
        {},
    )


def test_adjusted_rules(tmp_path):
    at_least = election(voters_present=40, ballots=[], adjust={"quorum_strict": False})
    assert count(tmp_path, at_least)["status"] == "further_round"  # quorate, nobody voted
    assert refused(tmp_path, election(adjust={"quorum": "9/5"})) == (
        "The rule “quorum” cannot be 9/5."
    )


def test_village_rules_and_their_second_round(tmp_path):
    two = ["甲", "乙"]
    village = {
        "rules": "village_committee",
        "seats": 1,
        "candidates": two,
        "voters_due": 100,
        "voters_present": 80,
        "ballots": [{"marks": marks("AD", two)}] * 30 + [{"marks": marks("DA", two)}] * 30,
    }
    first = count(tmp_path, village)
    assert (first["status"], first["unfilled_seats"]) == ("further_round", 1)
    assert first["reason"] == (
        "1 seat is not filled: a second round among the best candidates not elected, where "
        "the most votes win with at least 1/3 of the ballots cast."
    )
    second = {
        **village,
        "round": "second_round",
        "ballots": [{"marks": marks("A-", two)}] * 20 + [{"marks": marks("--", two)}] * 40,
    }
    assert count(tmp_path, second)["elected"] == ["甲"]  # 20 of 60: exactly a third


def test_reads_standard_input():
    out = io.StringIO()
    call_command("count_election", "-", stdin=io.StringIO(json.dumps(election())), stdout=out)
    assert json.loads(out.getvalue())["elected"] == ["张伟", "王芳"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("{not json", "election.json is not valid JSON (line 1, column 2)."),
        ("[]", "The file must hold one JSON object, the election."),
        ({k: v for k, v in election().items() if k != "seats"}, "The key “seats” is missing."),
        (election(voter_present=45), "Unknown key “voter_present”."),
        (
            election(rules="plurality"),
            "Unknown rule set “plurality”: use party_branch, village_committee, simple_majority.",
        ),
        (
            election(round="third"),
            "Unknown round “third”: use first, tie_break, further_election, second_round.",
        ),
        (
            election(round="second_round"),
            "The rule set “party_branch” has no “second_round” round.",
        ),
        (election(seats="3"), "“seats” must be a whole number."),
        (election(seats=3.0), "“seats” must be a whole number."),
        (election(voters_due=-50), "“voters_due” cannot be negative: -50."),
        (
            election(voters_due=40, voters_present=45),
            "“voters_present” (45) cannot be more than “voters_due” (40).",
        ),
        (election(seats=5), "There are more seats (5) than candidates (4)."),
        (
            election(candidates=["张伟", "王芳", "李娜"]),
            "3 seats need at least 4 candidates under these rules, and there are 3.",
        ),
        (
            election(candidates=["张伟", "王芳", "张伟", "刘洋"]),
            "“张伟” is on the candidate list twice.",
        ),
        (
            election(ballots=[{"marks": {**marks("AAA-"), "孙丽": "approve"}}]),
            "Ballot 1 has a mark for “孙丽”, who is not on the candidate list.",
        ),
        (
            election(ballots=[{"marks": marks("AAA-")}, {"marks": {"张伟": "yes"}}]),
            "Ballot 2 has the mark “yes”: use approve, disapprove or abstain.",
        ),
        (
            election(ballots=[{"marks": marks("AAD-"), "write_ins": ["  "]}]),
            "Ballot 1 has a write-in without a name.",
        ),
        (
            election(ballots=[["approve"]]),
            (
                "Ballot 1 must be an object with “marks” (a mark for each candidate) and, "
                "if any, “write_ins” (a list of names)."
            ),
        ),
        (election(candidates="张伟"), "“candidates” must be a list of names."),
        (
            election(adjust={"quorum_strictly": False}),
            (
                "Unknown rule “quorum_strictly” in “adjust”: use quorum_of, quorum, "
                "quorum_strict, threshold_of, threshold, threshold_strict, candidate_ratio, "
                "more_candidates_than_seats, second_round_floor, write_in_naming_candidate."
            ),
        ),
    ],
)
def test_bad_input_is_one_line_and_status_two(tmp_path, data, message):
    assert refused(tmp_path, data) == message


def test_a_missing_file(tmp_path):
    with pytest.raises(CommandError) as error:
        call_command("count_election", str(tmp_path / "none.json"), stdout=io.StringIO())
    assert error.value.returncode == 2
    assert str(error.value).startswith("Cannot read ")


def test_from_the_console(sqlite_site, tmp_path):
    path = tmp_path / "election.json"
    path.write_text(json.dumps(election(), ensure_ascii=False), encoding="utf-8")
    counted = run_tongxin("count-election", str(path), data_dir=sqlite_site, check=False)
    assert (counted.returncode, counted.stderr) == (0, "")
    result = json.loads(counted.stdout)  # the reason is in the site's language: not compared
    del result["reason"]
    assert result == {
        "status": "further_round",
        "ballots": {"returned": 45, "valid": 43, "invalid": 2},
        "tally": {"张伟": 43, "王芳": 43, "李娜": 22, "刘洋": 0, "赵敏": 21},
        "elected": ["张伟", "王芳"],
        "tied": [],
        "unfilled_seats": 1,
    }

    path.write_text(json.dumps(election(rules="plurality")), encoding="utf-8")
    bad = run_tongxin("count-election", str(path), data_dir=sqlite_site, check=False)
    assert (bad.returncode, bad.stdout) == (2, "")
    assert bad.stderr.startswith("CommandError: ") and "plurality" in bad.stderr
    assert len(bad.stderr.splitlines()) == 1  # no traceback
