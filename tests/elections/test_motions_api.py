"""Motions and documents over the API: the branch committee decides a motion in which the
secretary is outvoted, every vote by name in the answer; documents are published only with a
passed motion; who may call what, and nothing changed when not."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from tests.api.conftest import FORBIDDEN, NOT_FOUND, Caller, iso, token_for
from tongxin.core.models import AuditEvent
from tongxin.elections.actions.motions import (
    decide_motion,
    draft_document,
    record_votes,
    table_motion,
)
from tongxin.elections.models import Document, Motion, MotionVote

from .conftest import Village

pytestmark = pytest.mark.django_db

MEETING = datetime.date(2024, 3, 5)
TEXT = "同意将村东道路硬化工程列入今年为民办实事项目。"


def post(client: Client, path: str, body: dict[str, Any], caller: Caller | None = None, method: str = "post") -> Any:
    send = getattr(client, method)
    return send(f"/api/v1{path}", body, content_type="application/json", headers=caller.headers if caller else {})


def get(client: Client, path: str, caller: Caller | None = None, **params: Any) -> Any:
    return client.get(f"/api/v1{path}", params, headers=caller.headers if caller else {})


def member(village: Village, account: str) -> dict[str, Any]:
    person = village.person(account)
    return {"id": person.pk, "name": person.name, "display_name": person.display_name}


def votes_body(village: Village, **choices: str) -> dict[str, Any]:
    return {
        "votes": {
            str(village.person(account).pk): {"attendance": "present", "choice": choice}
            for account, choice in choices.items()
        },
        "minutes": "会议由李书记主持。",
    }


def test_the_committee_decides_a_motion_in_which_the_secretary_is_outvoted(client: Client, village: Village) -> None:
    committee = token_for(village.committee)

    tabled = post(client, f"/organisations/{village.branch.pk}/motions", {"title": "关于村东道路硬化的决议", "text": TEXT, "meeting_on": "2024-03-05"}, committee)
    assert tabled.status_code == 201
    pk = tabled.json()["id"]
    body = votes_body(village, member01="yes", member02="no", member03="no")
    body["votes"][str(village.person("member02").pk)]["dissent"] = "资金来源尚未落实。"
    recorded = post(client, f"/motions/{pk}/votes", body, committee)
    assert recorded.status_code == 200
    assert recorded.json()["status"] == "open"
    decided = post(client, f"/motions/{pk}/decide", {}, committee)
    assert decided.status_code == 200

    motion = Motion.objects.get()
    answer = get(client, f"/motions/{pk}").json()  # public once decided
    assert answer == {
        "id": pk,
        "organisation": village.branch.pk,
        "body": "branch_committee",
        "title": "关于村东道路硬化的决议",
        "text": TEXT,
        "meeting_on": "2024-03-05",
        "status": "failed",
        "members_due": 3,
        "counts_households": False,
        "present": 3,
        "yes": 1,
        "no": 2,
        "abstain": 0,
        "needed": 2,
        "reason": {
            "code": "below_threshold",
            "params": {"yes": 1, "needed": 2, "base": "present", "of": 3},
            "text": "Failed: 1 yes, and more than half of the members present (3) means at least 2 yes votes.",
        },
        "minutes": "会议由李书记主持。",
        "recorded_at": iso(motion.recorded_at),
        "decided_at": iso(motion.decided_at),
        "votes": [
            {"member": member(village, "member03"), "attendance": "present", "choice": "no", "dissent": ""},
            {"member": member(village, "member01"), "attendance": "present", "choice": "yes", "dissent": ""},
            {"member": member(village, "member02"), "attendance": "present", "choice": "no", "dissent": "资金来源尚未落实。"},
        ],
        "dissent": [
            {"member": member(village, "member03"), "attendance": "present", "choice": "no", "dissent": ""},
            {"member": member(village, "member02"), "attendance": "present", "choice": "no", "dissent": "资金来源尚未落实。"},
        ],
    }


def test_a_tie_fails_over_the_api(client: Client, village: Village) -> None:
    committee = token_for(village.committee)
    pk = post(client, f"/organisations/{village.branch.pk}/motions", {"title": "决议", "text": TEXT, "meeting_on": "2024-03-05"}, committee).json()["id"]
    body = votes_body(village, member01="no", member02="yes")
    body["votes"][str(village.person("member03").pk)] = {"attendance": "absent"}
    post(client, f"/motions/{pk}/votes", body, committee)

    answer = post(client, f"/motions/{pk}/decide", {}, committee).json()

    assert (answer["status"], answer["yes"], answer["no"], answer["present"]) == ("failed", 1, 1, 2)
    assert answer["reason"]["code"] == "tie"


def test_an_assembly_records_its_numbers_over_the_api(client: Client, village: Village) -> None:
    admin = token_for(village.admin)
    tabled = post(
        client, f"/organisations/{village.village.pk}/motions",
        {"title": "村规民约修订", "text": TEXT, "meeting_on": "2024-03-05", "members_due": 30}, admin,
    ).json()
    post(client, f"/motions/{tabled['id']}/tally", {"present": 15, "yes": 15, "no": 0, "abstain": 0}, admin)

    answer = post(client, f"/motions/{tabled['id']}/decide", {}, admin).json()

    assert (tabled["body"], answer["status"], answer["reason"]["params"]) == (
        "villagers_assembly", "no_quorum", {"present": 15, "due": 30, "needed": 16},
    )


def test_a_decided_motion_is_refused_with_409_and_unchanged(client: Client, village: Village) -> None:
    committee = token_for(village.committee)
    pk = post(client, f"/organisations/{village.branch.pk}/motions", {"title": "决议", "text": TEXT, "meeting_on": "2024-03-05"}, committee).json()["id"]
    post(client, f"/motions/{pk}/votes", votes_body(village, member01="yes", member02="no", member03="no"), committee)
    post(client, f"/motions/{pk}/decide", {}, committee)

    again = post(client, f"/motions/{pk}/votes", votes_body(village, member01="yes", member02="yes", member03="yes"), committee)

    assert again.status_code == 409
    assert again.json()["detail"].endswith("and can no longer change.")
    assert (Motion.objects.get().yes, sorted(MotionVote.objects.values_list("choice", flat=True))) == (1, ["no", "no", "yes"])


def test_votes_from_someone_outside_the_body_are_refused(client: Client, village: Village) -> None:
    committee = token_for(village.committee)
    pk = post(client, f"/organisations/{village.branch.pk}/motions", {"title": "决议", "text": TEXT, "meeting_on": "2024-03-05"}, committee).json()["id"]

    response = post(client, f"/motions/{pk}/votes", votes_body(village, member01="yes", member02="yes", member03="no", member04="yes"), committee)

    assert response.status_code == 400
    assert response.json() == {
        "detail": f"Not a member of this body: {village.person('member04').pk}. Only its members vote."
    }
    assert not MotionVote.objects.exists()


def test_callers_without_a_recorder_role_change_nothing(client: Client, village: Village) -> None:
    motion = table_motion(actor=village.committee, organisation=village.branch, title="待表决", text=TEXT, meeting_on=MEETING)
    secretary = token_for(village.account("member01"))
    events = AuditEvent.objects.count()

    tabled = post(client, f"/organisations/{village.branch.pk}/motions", {"title": "自行提议", "text": TEXT, "meeting_on": "2024-03-05"}, secretary)
    recorded = post(client, f"/motions/{motion.pk}/votes", votes_body(village, member01="yes", member02="yes", member03="yes"), secretary)
    decided = post(client, f"/motions/{motion.pk}/decide", {}, secretary)
    anonymous = post(client, f"/motions/{motion.pk}/decide", {})
    seen = get(client, f"/motions/{motion.pk}", secretary)

    assert (tabled.status_code, tabled.json()) == (403, FORBIDDEN)
    assert [recorded.status_code, decided.status_code, anonymous.status_code, seen.status_code] == [404, 404, 401, 404]
    assert recorded.json() == NOT_FOUND
    assert Motion.objects.count() == 1
    assert Motion.objects.get().status == "open"
    assert not MotionVote.objects.exists()
    assert AuditEvent.objects.count() == events


def test_the_list_shows_decisions_to_everyone_and_open_motions_to_recorders(
    client: Client, village: Village, django_assert_max_num_queries: Any
) -> None:
    for number in range(8):
        motion = table_motion(actor=village.committee, organisation=village.branch, title=f"决议{number}", text=TEXT, meeting_on=MEETING)
        record_votes(actor=village.committee, motion=motion, votes={
            village.person(account).pk: {"attendance": "present", "choice": "yes"} for account in ("member01", "member02", "member03")
        })
        decide_motion(actor=village.committee, motion=motion)
    table_motion(actor=village.committee, organisation=village.branch, title="待表决", text=TEXT, meeting_on=MEETING)
    committee = token_for(village.committee)

    with django_assert_max_num_queries(4):
        public = get(client, f"/organisations/{village.branch.pk}/motions").json()
    recorder = get(client, f"/organisations/{village.branch.pk}/motions", committee, limit=3).json()

    assert public["count"] == 8
    assert public["items"][0] == {
        "id": public["items"][0]["id"], "organisation": village.branch.pk, "body": "branch_committee", "title": "决议7",
        "meeting_on": "2024-03-05", "status": "passed", "members_due": 3, "counts_households": False, "present": 3,
        "yes": 3, "no": 0, "abstain": 0, "needed": 2, "decided_at": public["items"][0]["decided_at"],
    }
    assert recorder["count"] == 9
    assert [item["title"] for item in recorder["items"]] == ["待表决", "决议7", "决议6"]


# ---- documents ----------------------------------------------------------------------------------------


def passed_motion(village: Village) -> Motion:
    motion = table_motion(actor=village.committee, organisation=village.branch, title="批准通知", text=TEXT, meeting_on=MEETING)
    record_votes(actor=village.committee, motion=motion, votes={
        village.person(account).pk: {"attendance": "present", "choice": "yes"} for account in ("member01", "member02", "member03")
    })
    return decide_motion(actor=village.committee, motion=motion)


def test_a_document_is_published_only_with_a_passed_motion(client: Client, village: Village) -> None:
    committee = token_for(village.committee)
    open_motion = table_motion(actor=village.committee, organisation=village.branch, title="待表决", text=TEXT, meeting_on=MEETING)
    passed = passed_motion(village)

    drafted = post(client, f"/organisations/{village.branch.pk}/documents", {"kind": "report_up", "title": "情况报告", "body": "报告内容"}, committee)
    assert drafted.status_code == 201
    pk = drafted.json()["id"]
    edited = post(client, f"/documents/{pk}", {"title": "关于道路硬化的情况报告"}, committee, method="patch")
    assert edited.json()["title"] == "关于道路硬化的情况报告"
    assert get(client, f"/documents/{pk}").status_code == 404  # a draft is not public

    refused = post(client, f"/documents/{pk}/publish", {"motion": open_motion.pk}, committee)
    assert (refused.status_code, refused.json()) == (409, {
        "detail": "The motion “待表决” did not pass (Being voted on): a document is published only with a passed motion."
    })
    assert Document.objects.get().status == "draft"

    published = post(client, f"/documents/{pk}/publish", {"motion": passed.pk}, committee)
    assert published.status_code == 200
    document = Document.objects.get()
    answer = get(client, f"/documents/{pk}").json()
    assert {key: answer[key] for key in ("kind", "title", "body", "status", "published_at")} == {
        "kind": "report_up", "title": "关于道路硬化的情况报告", "body": "报告内容", "status": "published",
        "published_at": iso(document.published_at),
    }
    assert (answer["motion"]["id"], answer["motion"]["status"], answer["motion"]["yes"]) == (passed.pk, "passed", 3)
    listed = get(client, f"/organisations/{village.branch.pk}/documents").json()
    assert [item["id"] for item in listed["items"]] == [pk]
    changed = post(client, f"/documents/{pk}", {"body": "改"}, committee, method="patch")
    assert changed.status_code == 409


def test_callers_without_a_recorder_role_cannot_draft_or_publish(client: Client, village: Village) -> None:
    passed = passed_motion(village)
    document = draft_document(actor=village.committee, organisation=village.branch, kind="notice", title="通知", body="内容")
    secretary = token_for(village.account("member01"))
    events = AuditEvent.objects.count()

    drafted = post(client, f"/organisations/{village.branch.pk}/documents", {"kind": "notice", "title": "通知", "body": "内容"}, secretary)
    published = post(client, f"/documents/{document.pk}/publish", {"motion": passed.pk}, secretary)
    listed = get(client, f"/organisations/{village.branch.pk}/documents", secretary).json()

    assert (drafted.status_code, drafted.json()) == (403, FORBIDDEN)
    assert published.status_code == 404
    assert listed["count"] == 0
    assert (Document.objects.count(), Document.objects.get().status) == (1, "draft")
    assert AuditEvent.objects.count() == events
