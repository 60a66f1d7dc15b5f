"""`tongxin check-composition`: what it prints and the status it exits with."""

import datetime
import functools
import io
import json

import pytest
from django.core.management import CommandError, call_command

from tests.community.builders import (
    baishuiyang_town,
    body,
    fill,
    legal_aid_report,
    seat,
    shangyou_village,
    village_council,
)
from tests.factories import OrganisationFactory
from tests.helpers import SYSTEM
from tests.processes import run_tongxin
from tongxin.community.actions import update_organisation
from tongxin.community.models import Organisation, PartyStatus, Role

pytestmark = pytest.mark.usefixtures("in_english")


def run(*args: str) -> tuple[int, str]:
    """The exit status and the output of the command, as a script would see them."""
    out = io.StringIO()
    try:
        call_command("check_composition", *args, stdout=out)
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


def in_tree_order(*organisations: Organisation) -> list[Organisation]:
    return list(Organisation.objects.filter(pk__in=[o.pk for o in organisations]).order_by("path"))


@pytest.fixture
def village(db):
    return shangyou_village(baishuiyang_town())


@pytest.fixture
def council(village):
    return village_council(village, non_party=12, party=12)


def bodies_with_rules(village: Organisation) -> list[Organisation]:
    return in_tree_order(
        *Organisation.objects.filter(
            parent__path__startswith=village.path,
            kind__in=["party_branch", "consultation_council", "supervision_group", "workgroup"],
        )
    )


def test_all_rules_met(council, village):
    branch, checked_council, group = bodies_with_rules(village)
    assert run() == (
        0,
        f"#{branch.pk} Shangyou Party Branch · Party branch: all rules met\n"
        f"#{checked_council.pk} Shangyou Council · Village consultation council: all rules met\n"
        f"#{group.pk} Shangyou Supervision Group · Supervision group: all rules met\n"
        "3 organisations checked, 0 with violations\n",
    )


def test_an_error_exits_with_status_one(council, village):
    legal_aid = body("workgroup", village, "Legal Aid")
    seat(legal_aid)
    status, output = run()
    assert status == 1
    assert f"#{legal_aid.pk} Legal Aid · Workgroup: 2 rules not met\n" in output
    assert output.endswith("4 organisations checked, 1 with violations\n")
    assert run("--organisation", str(legal_aid.pk)) == (
        1,
        f"#{legal_aid.pk} Legal Aid · Workgroup: 2 rules not met\n"
        "  ✗ Error: There must be at least 2 members: there is 1.\n"
        "  ✗ Error: There must be a head, but none is recorded.\n"
        "1 organisation checked, 1 with violations\n",
    )


def test_warnings_are_shown_but_do_not_fail(village):
    council = village_council(village, non_party=12, party=12, chair_is_secretary=False)
    assert run("--organisation", str(council.pk)) == (
        0,
        f"#{council.pk} Shangyou Council · Village consultation council: 1 rule not met\n"
        "  ✗ Warning: The chair should also be secretary of a party branch in the same place: Li Lei is not.\n"
        "1 organisation checked, 1 with violations\n",
    )


def test_verbose_lists_every_finding(council):
    assert run("--organisation", str(council.pk), "--verbose") == (
        0,
        f"#{council.pk} Shangyou Council · Village consultation council: all rules met\n"
        "  ✓ There must be at least 20 members: there are 24.\n"
        "  ✓ There may be at most 50 members: there are 24.\n"
        "  ✓ At least half of the members must be non-party: 12 of 24 are (50%).\n"
        "  ✓ There must be a chair: Wang Fang.\n"
        "  ✓ The chair is also secretary of a party branch in the same place: Wang Fang.\n"
        "  ✓ It must have a council office: Shangyou Council Office.\n"
        "  ✓ It must have a supervision group: Shangyou Supervision Group.\n"
        "1 organisation checked, 0 with violations\n",
    )


def test_an_organisation_without_rules(council):
    office = council.children.get(kind="council_office")
    assert run("--organisation", str(office.pk)) == (
        0,
        f"#{office.pk} Shangyou Council Office: no composition rules apply.\n"
        "0 organisations checked, 0 with violations\n",
    )


def test_within_checks_one_subtree_only(council, village):
    other_village = body("village", village.parent, "Xiayou Village")
    seat(body("workgroup", other_village, "Red Armbands"))
    status, output = run("--within", str(village.pk))
    assert (status, output.splitlines()[-1]) == (0, "3 organisations checked, 0 with violations")
    status, output = run("--within", str(other_village.pk))
    assert (status, output.splitlines()[-1]) == (1, "1 organisation checked, 1 with violations")
    assert " Red Armbands · Workgroup: 2 rules not met" in output.splitlines()[0]


def test_dissolved_organisations_are_not_checked(council, village):
    legal_aid = body("workgroup", village, "Legal Aid")
    update_organisation(
        actor=SYSTEM, organisation=legal_aid, dissolved_on=datetime.date(2025, 1, 1)
    )
    status, output = run()
    assert (status, output.splitlines()[-1]) == (0, "3 organisations checked, 0 with violations")


def test_a_misconfigured_organisation_is_an_error(village):
    committee = OrganisationFactory(
        kind="village_committee",
        parent=village,
        name_en="Shangyou Committee",
        composition_overrides={"max_members": 2},
    )
    fill(committee, 1, role=Role.CHAIR)
    assert run() == (
        1,
        f"#{committee.pk} Shangyou Committee · Village committee: 1 rule not met\n"
        "  ✗ Error: “min_members” (3) cannot be larger than “max_members” (2).\n"
        "1 organisation checked, 1 with violations\n",
    )


def test_json_lists_every_report(council, village):
    legal_aid = body("workgroup", village, "Legal Aid")
    seat(legal_aid, role=Role.HEAD, party=PartyStatus.FULL, name="Ma Lin")
    status, output = run("--format", "json")
    assert status == 1
    listed = json.loads(output)
    assert [(report["organisation"]["id"], report["ok"]) for report in listed] == [
        (organisation.pk, organisation.pk != legal_aid.pk)
        for organisation in bodies_with_rules(village)
    ]
    (workgroup,) = [report for report in listed if report["organisation"]["id"] == legal_aid.pk]
    assert workgroup == legal_aid_report(legal_aid)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--organisation", "999999"], "There is no organisation number 999999."),
        (["--within", "999999"], "There is no organisation number 999999."),
        (["--organisation", "council"], "“council” is not an organisation number."),
    ],
)
def test_bad_input_is_status_two(db, args, message):
    with pytest.raises(CommandError) as refused:
        call_command("check_composition", *args, stdout=io.StringIO())
    assert (str(refused.value), refused.value.returncode) == (message, 2)


def test_from_the_console_bad_input_is_one_line_and_status_two(tmp_path):
    tongxin = functools.partial(run_tongxin, data_dir=tmp_path, check=False)
    assert tongxin("migrate", "--verbosity", "0").returncode == 0
    empty = tongxin("check-composition")
    assert (empty.returncode, empty.stderr) == (0, "")
    assert len(empty.stdout.splitlines()) == 1
    unknown = tongxin("check-composition", "--organisation", "999")
    assert (unknown.returncode, unknown.stdout) == (2, "")
    assert unknown.stderr.startswith("CommandError: ") and "999" in unknown.stderr
    assert len(unknown.stderr.splitlines()) == 1  # no traceback
    both = tongxin("check-composition", "--organisation", "1", "--within", "1")
    assert both.returncode == 2
    assert "Traceback" not in both.stderr
