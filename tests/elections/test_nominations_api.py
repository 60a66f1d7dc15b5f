"""Nominations, candidates and questions over the API: the same actions as the pages, the
documented shapes, and refusals that change nothing."""

from typing import Any

import pytest
from django.test import Client

from tests.api.conftest import token_for
from tests.elections.test_nominations_helpers import approve, listed, nominating, passed_motion
from tongxin.core.models import AuditEvent
from tongxin.elections.actions.nominations import answer_question, ask_question, nominate
from tongxin.elections.models import Answer, Candidate, Nomination, Question, Seconder

pytestmark = pytest.mark.django_db

API = "/api/v1"


def call(method: str, path: str, user: Any = None, body: dict[str, Any] | None = None):
    headers = caller(user).headers if user is not None else {}
    client = Client()
    if method == "get":
        return client.get(API + path, headers=headers)
    return getattr(client, method)(API + path, body or {}, content_type="application/json", headers=headers)


def caller(user: Any):
    """The user's API token, issued once per test (kept on the account object)."""
    if "_nominations_caller" not in user.__dict__:
        user.__dict__["_nominations_caller"] = token_for(user)
    return user.__dict__["_nominations_caller"]


def snapshot() -> tuple[int, ...]:
    return (
        Nomination.objects.count(), Seconder.objects.count(), Candidate.objects.count(), Question.objects.count(),
        Answer.objects.count(), AuditEvent.objects.filter(verb__startswith="election.").count(),
    )


def test_nominate_second_accept_and_vet(village):
    election = nominating(village, seconders_required=1)
    member05 = village.person("member05")
    response = call("post", f"/elections/{election.pk}/nominations", village.account("member03"),
                    {"nominee": member05.pk, "route": "joint", "reasons": "能干"})
    assert response.status_code == 201
    body = response.json()
    nomination = Nomination.objects.get()
    assert body == {
        "id": nomination.pk, "election": election.pk, "nominee": {"id": member05.pk, "name": "陈静"},
        "route": "joint", "proposer": {"id": village.person("member03").pk, "name": "张伟"}, "reasons": "能干",
        "seconders": 0, "status": "awaiting_seconders", "vetting_reason": "", "vetted_at": None,
        "created_at": body["created_at"],
    }
    response = call("post", f"/nominations/{nomination.pk}/second", village.account("member06"))
    assert (response.status_code, response.json()["seconders"], response.json()["status"]) == (200, 1, "awaiting_acceptance")
    assert call("post", f"/nominations/{nomination.pk}/accept", village.account("member05")).json()["status"] == "accepted"
    response = call("post", f"/nominations/{nomination.pk}/vet", village.committee, {"approved": False, "reason": "材料不全"})
    assert (response.json()["status"], response.json()["vetting_reason"]) == ("rejected", "材料不全")


def test_the_public_list_of_nominations(village, django_assert_max_num_queries):
    election = nominating(village)
    approve(village, election, ["member07", "member05"])
    nominate(actor=village.account("member04"), election=election, nominee=village.person("member04"), route="self")
    with django_assert_max_num_queries(4):
        response = call("get", f"/elections/{election.pk}/nominations")
    assert [(row["nominee"]["name"], row["route"], row["status"]) for row in response.json()] == [
        ("赵敏", "organisation", "approved"), ("陈静", "organisation", "approved"), ("刘洋", "self", "accepted"),
    ]


def test_refusals_over_the_api_change_nothing(village):
    election = nominating(village)
    nomination = nominate(actor=village.committee, election=election, nominee=village.person("member05"), route="organisation")
    before = snapshot()
    member = village.account("member04")
    response = call("post", f"/elections/{election.pk}/nominations", member, {"nominee": village.person("member06").pk, "route": "organisation"})
    assert response.status_code == 403
    assert call("post", f"/nominations/{nomination.pk}/accept", member).status_code == 403
    assert call("post", f"/nominations/{nomination.pk}/vet", member, {"approved": True}).status_code == 403
    assert call("post", f"/nominations/{nomination.pk}/withdraw", member).status_code == 403
    assert call("post", f"/elections/{election.pk}/candidates", member, {"list_motion": None}).status_code == 403
    assert call("post", f"/nominations/{nomination.pk}/second").status_code == 401
    response = call("post", f"/elections/{election.pk}/nominations", village.probationary.user, {"nominee": village.probationary.pk, "route": "self"})
    assert response.status_code == 403
    assert snapshot() == before


def test_errors_a_person_can_fix_are_400_or_409(village):
    election = nominating(village)
    response = call("post", f"/elections/{election.pk}/nominations", village.committee, {"nominee": village.probationary.pk, "route": "organisation"})
    assert response.status_code == 400
    assert response.json() == {"detail": "钱预备 is not an eligible voter on this election's roll, and so cannot stand."}
    approve(village, election, ["member07", "member05", "member02"])
    response = call("post", f"/elections/{election.pk}/candidates", village.committee, {"list_motion": passed_motion(village).pk})
    assert response.status_code == 409
    assert response.json() == {"detail": "3 seats need at least 4 candidates under these rules, and there are 3."}


def test_fix_the_list_and_read_it_in_stroke_order(village, django_assert_max_num_queries):
    election = nominating(village)
    approve(village, election, ["member07", "member05", "member02", "member03"])
    response = call("post", f"/elections/{election.pk}/candidates", village.committee, {"list_motion": passed_motion(village).pk})
    assert response.status_code == 201
    assert [(row["position"], row["person"]["name"]) for row in response.json()] == [
        (1, "王芳"), (2, "张伟"), (3, "陈静"), (4, "赵敏"),
    ]
    with django_assert_max_num_queries(3):
        listed_now = call("get", f"/elections/{election.pk}/candidates").json()
    assert [row["person"]["name"] for row in listed_now] == ["王芳", "张伟", "陈静", "赵敏"]


def test_profile_questions_answers_and_hiding(village, django_assert_max_num_queries):
    election = listed(village)
    candidate = Candidate.objects.get(person=village.person("member05"))
    response = call("put", f"/candidates/{candidate.pk}/profile", village.account("member05"), {"profile": "妇联主任", "statement": "办实事"})
    assert (response.status_code, response.json()["profile"], response.json()["statement"]) == (200, "妇联主任", "办实事")
    assert call("put", f"/candidates/{candidate.pk}/profile", village.account("member03"), {"profile": "假", "statement": ""}).status_code == 403
    response = call("post", f"/elections/{election.pk}/questions", village.account("member10"), {"text": "如何发展集体经济？"})
    assert response.status_code == 201
    question = Question.objects.get()
    assert response.json() == {
        "id": question.pk, "election": election.pk, "asked_by": {"id": village.person("member10").pk, "name": "吴刚"},
        "text": "如何发展集体经济？", "asked_at": response.json()["asked_at"], "hidden_reason": "", "answers": [],
    }
    response = call("put", f"/questions/{question.pk}/answer", village.account("member05"), {"text": "发展乡村旅游。"})
    assert [(row["candidate"], row["text"]) for row in response.json()["answers"]] == [(candidate.pk, "发展乡村旅游。")]
    assert call("put", f"/questions/{question.pk}/answer", village.account("member10"), {"text": "我替他答"}).status_code == 403
    response = call("post", f"/questions/{question.pk}/hide", village.committee, {"reason": "重复提问"})
    assert (response.json()["text"], response.json()["hidden_reason"], response.json()["answers"]) == ("", "重复提问", [])


def test_the_questions_list_is_one_query_per_kind(village, django_assert_max_num_queries):
    election = listed(village)
    for number, account in enumerate(("member10", "member11", "member12")):
        question = ask_question(actor=village.account(account), election=election, text=f"问题{number}")
        answer_question(actor=village.account("member05"), question=question, text=f"回答{number}")
    with django_assert_max_num_queries(4):
        response = call("get", f"/elections/{election.pk}/questions")
    assert [(row["text"], len(row["answers"])) for row in response.json()] == [("问题0", 1), ("问题1", 1), ("问题2", 1)]


def test_a_draft_election_is_not_found(village):
    election = village.branch_election()
    assert call("get", f"/elections/{election.pk}/nominations").status_code == 404
    assert call("get", f"/elections/{election.pk}/candidates").status_code == 404
