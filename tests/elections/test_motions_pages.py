"""Motions in the browser: the branch committee tables a motion, records every member's vote and
decides it, and the secretary is outvoted; the page and the organisation's decisions show it,
with every vote by name and the dissent minuted. Who may record, and nothing changed when not."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from tests.helpers import SYSTEM, admin_of, organisation, page_text, sign_in
from tongxin.community.actions import add_membership
from tongxin.community.models import Obtained, StaffRole
from tongxin.core.models import AuditEvent
from tongxin.elections.actions.motions import decide_motion, record_votes, table_motion
from tongxin.elections.models import Motion, MotionVote
from tongxin.elections.views.motions import organisation_section

from .conftest import Village

pytestmark = pytest.mark.django_db

MEETING = datetime.date(2024, 3, 5)
TEXT = "同意将村东道路硬化工程列入今年为民办实事项目。"


def table_by_page(client: Client, village: Village, **fields: Any) -> Motion:
    response = client.post(
        reverse("elections:motion_new", args=[village.branch.pk]),
        {"title": "关于村东道路硬化的决议", "text": TEXT, "meeting_on": "2024-03-05", "body": "branch_committee", **fields},
    )
    motion = Motion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("elections:motion", args=[motion.pk])
    return motion


def votes_form(village: Village, **choices: tuple[str, str, str]) -> dict[str, str]:
    """The recorder's form: (attendance, vote, dissent) by account name."""
    data = {"minutes": "会议由李书记主持。"}
    for account, (attendance, choice, dissent) in choices.items():
        pk = village.person(account).pk
        data |= {f"attendance_{pk}": attendance, f"choice_{pk}": choice, f"dissent_{pk}": dissent}
    return data


def secretary_outvoted(village: Village) -> dict[str, str]:
    return votes_form(
        village,
        member01=("present", "yes", ""),
        member02=("present", "no", "资金来源尚未落实。"),
        member03=("present", "no", ""),
    )


def decided_motion(village: Village, title: str = "关于村东道路硬化的决议", **choices: str) -> Motion:
    motion = table_motion(actor=village.committee, organisation=village.branch, title=title, text=TEXT, meeting_on=MEETING)
    choices = choices or {"member01": "yes", "member02": "no", "member03": "no"}
    votes = {village.person(account).pk: {"attendance": "present", "choice": choice} for account, choice in choices.items()}
    record_votes(actor=village.committee, motion=motion, votes=votes)
    return decide_motion(actor=village.committee, motion=motion)


def test_the_committee_decides_a_motion_in_which_the_secretary_is_outvoted(client: Client, village: Village) -> None:
    sign_in(client, village.committee)
    form = client.get(reverse("elections:motion_new", args=[village.branch.pk]))
    assert form.status_code == 200
    assert 'value="branch_committee" selected' in form.content.decode()

    motion = table_by_page(client, village)
    recorder = page_text(client.get(motion.get_absolute_url()))
    assert "Record the meeting" in recorder
    assert "李书记 Attendance" in recorder and "王芳 Attendance" in recorder and "张伟 Attendance" in recorder
    assert "Decide the motion" not in recorder  # nothing recorded yet

    recorded = client.post(reverse("elections:motion_record", args=[motion.pk]), secretary_outvoted(village))
    assert recorded.status_code == 302
    assert "The votes are recorded; the motion is not yet decided." in page_text(client.get(motion.get_absolute_url()))
    decided = client.post(reverse("elections:motion_decide", args=[motion.pk]))
    assert decided.status_code == 302

    text = page_text(Client().get(motion.get_absolute_url()))  # public, to anyone
    assert (
        "Result Failed: 1 yes, and more than half of the members present (3) means at least 2 yes votes. "
        "Due to attend 3 Present 3 Yes 1 No 2 Abstain 0 Yes votes needed 2"
    ) in text
    assert "One member, one vote: the secretary's vote counts the same as every other member's." in text
    assert (
        "Votes by name Member Attendance Vote Dissent, as minuted "
        "张伟 Present No — 李书记 Present Yes — 王芳 Present No 资金来源尚未落实。"
    ) in text
    assert "Minutes 3 members present. Voted no: 张伟 王芳 : 资金来源尚未落实。 会议由李书记主持。" in text
    assert "Record the meeting" not in text

    listed = page_text(Client().get(reverse("elections:motions", args=[village.branch.pk])))
    assert "关于村东道路硬化的决议 2024-03-05 · Branch committee meeting Failed · yes 1, no 2, abstain 0 · 3 of 3 present" in listed


def test_the_secretary_voting_no_is_outvoted_the_other_way(client: Client, village: Village) -> None:
    sign_in(client, village.committee)
    motion = table_by_page(client, village)
    client.post(
        reverse("elections:motion_record", args=[motion.pk]),
        votes_form(
            village,
            member01=("present", "no", "应先征求村民意见。"),
            member02=("present", "yes", ""),
            member03=("present", "yes", ""),
        ),
    )
    client.post(reverse("elections:motion_decide", args=[motion.pk]))

    text = page_text(client.get(motion.get_absolute_url()))
    assert "Result Passed: 2 yes against 1 no; 2 yes votes were needed." in text
    assert "Voted no: 李书记 : 应先征求村民意见。" in text


def test_a_tie_fails_on_the_page(client: Client, village: Village) -> None:
    sign_in(client, village.committee)
    motion = table_by_page(client, village)
    client.post(
        reverse("elections:motion_record", args=[motion.pk]),
        votes_form(village, member01=("present", "yes", ""), member02=("present", "no", ""), member03=("absent", "", "")),
    )
    client.post(reverse("elections:motion_decide", args=[motion.pk]))

    text = page_text(client.get(motion.get_absolute_url()))
    assert "Result Failed: a tie, 1 yes and 1 no. There is no casting vote, and a tie fails." in text
    assert "2 members present; absent: 张伟." in text


def test_a_form_with_a_member_left_out_is_refused_and_nothing_is_recorded(client: Client, village: Village) -> None:
    sign_in(client, village.committee)
    motion = table_by_page(client, village)

    response = client.post(
        reverse("elections:motion_record", args=[motion.pk]),
        votes_form(village, member01=("present", "yes", ""), member02=("present", "yes", ""), member03=("present", "", "")),
    )

    assert response.status_code == 400
    assert "张伟 was present: record yes, no, abstain or not voting." in page_text(response)
    assert not MotionVote.objects.exists()


def test_a_decided_motion_cannot_be_recorded_again(client: Client, village: Village) -> None:
    motion = decided_motion(village)
    sign_in(client, village.committee)

    response = client.post(reverse("elections:motion_record", args=[motion.pk]), secretary_outvoted(village) | {
        f"choice_{village.person('member02').pk}": "yes",
    })
    decide = client.post(reverse("elections:motion_decide", args=[motion.pk]))

    assert response.status_code == 409
    assert "can no longer change." in page_text(response)
    assert decide.status_code == 409
    motion.refresh_from_db()
    assert (motion.status, motion.yes, motion.no) == ("failed", 1, 2)
    assert sorted(MotionVote.objects.values_list("choice", flat=True)) == ["no", "no", "yes"]


def test_decide_before_recording_says_so(client: Client, village: Village) -> None:
    sign_in(client, village.committee)
    motion = table_by_page(client, village)

    response = client.post(reverse("elections:motion_decide", args=[motion.pk]))

    assert response.status_code == 409
    assert "Record the attendance and the votes first." in page_text(response)
    assert Motion.objects.get().status == "open"


def test_a_villagers_assembly_records_numbers_on_the_page(client: Client, village: Village) -> None:
    sign_in(client, village.admin)
    response = client.post(
        reverse("elections:motion_new", args=[village.village.pk]),
        {"title": "村规民约修订", "text": TEXT, "meeting_on": "2024-03-05", "body": "villagers_assembly", "members_due": "30"},
    )
    motion = Motion.objects.get()
    assert response.status_code == 302
    client.post(reverse("elections:motion_record", args=[motion.pk]), {"present": "16", "yes": "9", "no": "5", "abstain": "2"})
    client.post(reverse("elections:motion_decide", args=[motion.pk]))

    text = page_text(client.get(motion.get_absolute_url()))
    assert "Result Passed: 9 yes against 5 no; 9 yes votes were needed. Due to attend 30 Present 16 Yes 9 No 5 Abstain 2" in text


# ---- who may record -----------------------------------------------------------------------------


@pytest.mark.parametrize("account", ["member01", "member02"])
def test_members_without_a_recorder_role_cannot_table_or_record(client: Client, village: Village, account: str) -> None:
    motion = table_motion(actor=village.committee, organisation=village.branch, title="待表决", text=TEXT, meeting_on=MEETING)
    events = AuditEvent.objects.count()
    sign_in(client, village.account(account))

    new_page = client.get(reverse("elections:motion_new", args=[village.branch.pk]))
    tabled = client.post(
        reverse("elections:motion_new", args=[village.branch.pk]),
        {"title": "自行提议", "text": TEXT, "meeting_on": "2024-03-05", "body": "branch_committee"},
    )
    open_page = client.get(motion.get_absolute_url())
    recorded = client.post(reverse("elections:motion_record", args=[motion.pk]), secretary_outvoted(village))
    decided = client.post(reverse("elections:motion_decide", args=[motion.pk]))

    assert [new_page.status_code, tabled.status_code, open_page.status_code, recorded.status_code, decided.status_code] == [
        403, 403, 404, 404, 404,
    ]
    assert Motion.objects.count() == 1
    assert not MotionVote.objects.exists()
    assert Motion.objects.get().status == "open"
    assert AuditEvent.objects.count() == events


def test_the_town_admin_records_the_branchs_motions(client: Client, village: Village) -> None:
    sign_in(client, village.admin)

    motion = table_by_page(client, village)

    assert client.get(motion.get_absolute_url()).status_code == 200


def test_an_anonymous_visitor_sees_decisions_but_not_open_motions(client: Client, village: Village) -> None:
    decided = decided_motion(village, title="已决议")
    pending = table_motion(actor=village.committee, organisation=village.branch, title="待表决", text=TEXT, meeting_on=MEETING)

    listed = page_text(client.get(reverse("elections:motions", args=[village.branch.pk])))

    assert "已决议" in listed and "待表决" not in listed
    assert "Table a motion" not in listed
    assert client.get(decided.get_absolute_url()).status_code == 200
    assert client.get(pending.get_absolute_url()).status_code == 404
    assert client.post(reverse("elections:motion_decide", args=[pending.pk])).status_code == 404
    assert Motion.objects.get(pk=pending.pk).status == "open"


# ---- lists and the organisation's page -------------------------------------------------------------


def test_the_decisions_list_costs_the_same_whatever_its_length(
    client: Client, village: Village, django_assert_max_num_queries: Any
) -> None:
    for number in range(35):
        decided_motion(village, title=f"决议{number:02d}")
    sign_in(client, village.committee)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("elections:motions", args=[village.branch.pk]))
    with django_assert_max_num_queries(12):
        second = client.get(reverse("elections:motions", args=[village.branch.pk]), {"page": 2})

    assert page_text(response).count("yes 1, no 2, abstain 0") == 30
    assert "Page 1 of 2" in page_text(response)
    assert page_text(second).count("yes 1, no 2, abstain 0") == 5


def test_the_organisation_page_section_lists_the_latest_decisions(village: Village, django_assert_max_num_queries: Any) -> None:
    assert organisation_section(village.branch, village.outsider) is None
    for number in range(6):
        decided_motion(village, title=f"决议{number:02d}")

    with django_assert_max_num_queries(1):
        context = organisation_section(village.branch, village.outsider)
    html = render_to_string("elections/motions_organisation_section.html", context)

    assert context["more"] is True
    assert [motion.title for motion in context["motions"]] == ["决议05", "决议04", "决议03", "决议02", "决议01"]
    assert "Failed" in html and "yes 1, no 2, abstain 0" in html and "3 of 3 present" in html
    assert reverse("elections:motions", args=[village.branch.pk]) in html


def test_a_consultation_council_decides_on_its_page(client: Client, village: Village) -> None:
    council = organisation("小寨村协商议事会", "Xiaozhai Consultation Council", "consultation_council", village.village)
    for account in ("villager01", "villager02", "villager03"):
        add_membership(
            actor=SYSTEM, person=village.person(account), organisation=council, obtained=Obtained.APPOINTED,
            obtained_from=village.village_office, start_date=datetime.date(2021, 1, 1),
        )
    sign_in(client, admin_of(council, "council_office", StaffRole.OFFICE))
    form = client.get(reverse("elections:motion_new", args=[council.pk]))
    assert 'value="simple_majority" selected' in form.content.decode()
    client.post(
        reverse("elections:motion_new", args=[council.pk]),
        {"title": "停车位划线方案", "text": TEXT, "meeting_on": "2024-03-05", "body": "simple_majority"},
    )
    motion = Motion.objects.get()
    client.post(
        reverse("elections:motion_record", args=[motion.pk]),
        votes_form(
            village,
            villager01=("present", "yes", ""),
            villager02=("present", "yes", ""),
            villager03=("present", "no", "占用消防通道。"),
        ),
    )
    client.post(reverse("elections:motion_decide", args=[motion.pk]))

    text = page_text(client.get(motion.get_absolute_url()))
    assert "停车位划线方案 Xiaozhai Consultation Council · Meeting deciding by simple majority · 2024-03-05 Passed" in text
    assert "Result Passed: 2 yes against 1 no; 2 yes votes were needed." in text
    assert "Voted no: 村民03 : 占用消防通道。" in text
