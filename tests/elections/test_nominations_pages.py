"""The nominations, candidates and questions pages as people read and use them: what each sees,
the forms that run the actions, and refusals that change nothing."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.elections.test_nominations_helpers import approve, listed, nominating, passed_motion
from tests.helpers import page_text, sign_in
from tongxin.core.models import AuditEvent
from tongxin.elections.actions.nominations import (
    answer_question,
    ask_question,
    edit_candidate_profile,
    nominate,
    second_nomination,
    vet_nomination,
)
from tongxin.elections.models import Answer, Candidate, Nomination, Question, Seconder
from tongxin.elections.views.nominations import ROTATION_SESSION_KEY, rotated

pytestmark = pytest.mark.django_db


def client_of(user=None, *, seed: int | None = None) -> Client:
    client = Client()
    if user is not None:
        sign_in(client, user)
    if seed is not None:
        session = client.session
        session[ROTATION_SESSION_KEY] = seed
        session.save()
    return client


def snapshot() -> tuple[int, ...]:
    return (
        Nomination.objects.count(), Seconder.objects.count(), Candidate.objects.count(), Question.objects.count(),
        Answer.objects.count(), AuditEvent.objects.count(),
    )


def url(name: str, *args) -> str:
    return reverse(f"elections:{name}", args=args)


def card_names(response) -> list[str]:
    return re.findall(r'<h2 class="candidate-name"><a [^>]+>([^<]+)</a>', response.content.decode())


# ---- the nominations page ----------------------------------------------------------------------------


def test_everyone_sees_who_nominated_whom_and_the_committees_reasons(village, django_assert_max_num_queries):
    election = nominating(village)
    joint = nominate(actor=village.account("member03"), election=election, nominee=village.person("member05"), route="joint", reasons="群众基础好")
    second_nomination(actor=village.account("member06"), nomination=joint)
    own = nominate(actor=village.account("member04"), election=election, nominee=village.person("member04"), route="self")
    vet_nomination(actor=village.committee, nomination=own, approved=False, reason="受处分未满一年")
    approve(village, election, ["member07"])
    with django_assert_max_num_queries(12):
        response = Client().get(url("nominations", election.pk))
    assert response.status_code == 200
    text = page_text(response)
    assert "3 nominations" in text
    assert (
        "陈静 Route By members' joint recommendation Proposed by 张伟 Seconders 1 of 4 Status Awaiting seconders 群众基础好"
        in text
    )
    assert (
        "刘洋 Route Self-nomination Proposed by 刘洋 Status Not approved by the election committee "
        "Election committee's reason 受处分未满一年" in text
    )
    assert "赵敏 Route By the organisation Proposed by Xiaozhai Party Branch Status Approved by the election committee" in text
    assert "Nominate" not in text.split("3 nominations")[1]  # no forms for a visitor


def test_a_member_nominates_and_another_seconds_on_the_page(village):
    election = nominating(village, seconders_required=1)
    proposer = client_of(village.account("member03"))
    page = page_text(proposer.get(url("nominations", election.pk)))
    assert "Nominate Route: By members' joint recommendation Self-nomination Nominee:" in page
    assert "--------- 王芳 刘洋 孙涛 李书记 杨磊 吴刚 张伟 陈静 周丽 赵敏 徐红 黄强 Reasons:" in page
    response = proposer.post(url("nominations", election.pk), {"route": "joint", "nominee": village.person("member05").pk, "reasons": "能干"})
    assert response.status_code == 302
    nomination = Nomination.objects.get()
    assert (nomination.route, nomination.proposer, nomination.status) == ("joint", village.person("member03"), "awaiting_seconders")
    seconder = client_of(village.account("member06"))
    assert "Second this nomination" in page_text(seconder.get(url("nominations", election.pk)))
    response = seconder.post(url("nomination_second", election.pk, nomination.pk), follow=True)
    assert "You have seconded the nomination." in page_text(response)
    nomination.refresh_from_db()
    assert nomination.status == "awaiting_acceptance"
    nominee = client_of(village.account("member05"))
    assert "Accept the nomination Decline the nomination" in page_text(nominee.get(url("nominations", election.pk)))
    nominee.post(url("nomination_accept", election.pk, nomination.pk))
    nomination.refresh_from_db()
    assert nomination.status == "accepted"


def test_a_self_nomination_from_the_page(village):
    election = nominating(village)
    client = client_of(village.account("member04"))
    response = client.post(url("nominations", election.pk), {"route": "self", "reasons": "愿意为大家服务"})
    assert response.status_code == 302
    assert Nomination.objects.get().nominee == village.person("member04")


def test_an_action_error_shows_on_the_form(village):
    election = nominating(village)
    nominate(actor=village.account("member03"), election=election, nominee=village.person("member05"), route="joint")
    client = client_of(village.committee)
    response = client.post(url("nominations", election.pk), {"route": "organisation", "nominee": village.person("member05").pk})
    assert response.status_code == 200
    assert (
        "陈静 is already nominated (By members' joint recommendation): second that nomination instead."
        in page_text(response)
    )
    response = client.post(url("nominations", election.pk), {"route": "organisation", "nominee": village.probationary.pk})
    assert "Select a valid choice." in page_text(response)  # only eligible voters are offered
    assert Nomination.objects.count() == 1


def test_refusals_on_the_nominations_page_change_nothing(village):
    election = nominating(village)
    nomination = nominate(actor=village.committee, election=election, nominee=village.person("member05"), route="organisation")
    before = snapshot()
    probationary = client_of(village.probationary.user)
    assert probationary.post(url("nominations", election.pk), {"route": "self"}).status_code == 403
    member = client_of(village.account("member04"))
    assert member.post(url("nominations", election.pk), {"route": "organisation", "nominee": village.person("member06").pk}).status_code == 200
    assert member.post(url("nomination_accept", election.pk, nomination.pk)).status_code == 403
    assert member.post(url("nomination_withdraw", election.pk, nomination.pk)).status_code == 403
    assert member.get(url("nomination_vet", election.pk, nomination.pk)).status_code == 403
    assert member.post(url("nomination_vet", election.pk, nomination.pk), {"approved": "1"}).status_code == 403
    assert Client().post(url("nomination_second", election.pk, nomination.pk)).status_code == 403
    assert snapshot() == before


def test_the_committee_vets_on_its_page_and_the_reason_is_public(village):
    election = nominating(village)
    nomination = nominate(actor=village.account("member04"), election=election, nominee=village.person("member04"), route="self")
    client = client_of(village.committee)
    response = client.post(url("nomination_vet", election.pk, nomination.pk), {"approved": "0", "reason": ""})
    assert "Give the reason for not approving the nomination: it is shown publicly." in page_text(response)
    response = client.post(url("nomination_vet", election.pk, nomination.pk), {"approved": "0", "reason": "材料不全"})
    assert response.status_code == 302
    assert "Election committee's reason 材料不全" in page_text(Client().get(url("nominations", election.pk)))


def test_a_draft_election_has_no_nominations_page(village):
    election = village.branch_election()
    assert Client().get(url("nominations", election.pk)).status_code == 404
    assert client_of(village.account("member03")).get(url("candidates", election.pk)).status_code == 404


# ---- fixing the list -----------------------------------------------------------------------------------


def test_the_committee_fixes_the_list_choosing_the_passed_motion(village):
    election = nominating(village)
    approve(village, election, ["member07", "member05", "member02"])
    motion = passed_motion(village)
    passed_motion(village, status="failed", title="未通过的决议")
    client = client_of(village.committee)
    page = client.get(url("candidate_list_fix", election.pk))
    text = page_text(page)
    assert "The approved nominees, in the order of the surnames' strokes 王芳 陈静 赵敏" in text
    assert "关于确定支部委员会候选人名单的决议" in text and "未通过的决议" not in text
    response = client.post(url("candidate_list_fix", election.pk), {"list_motion": motion.pk})
    assert "3 seats need at least 4 candidates under these rules, and there are 3." in page_text(response)
    approve(village, election, ["member03"])
    response = client.post(url("candidate_list_fix", election.pk), {"list_motion": ""})
    assert response.status_code == 200 and Candidate.objects.count() == 0
    response = client.post(url("candidate_list_fix", election.pk), {"list_motion": motion.pk})
    assert response.status_code == 302 and response["Location"] == url("candidates", election.pk)
    assert list(Candidate.objects.values_list("position", "person__name")) == [(1, "王芳"), (2, "张伟"), (3, "陈静"), (4, "赵敏")]


def test_members_cannot_fix_the_list(village):
    election = nominating(village)
    approve(village, election, ["member07", "member05", "member02", "member03"])
    motion = passed_motion(village)
    before = snapshot()
    client = client_of(village.account("member01"))
    assert client.get(url("candidate_list_fix", election.pk)).status_code == 403
    assert client.post(url("candidate_list_fix", election.pk), {"list_motion": motion.pk}).status_code == 403
    assert snapshot() == before


# ---- candidates ----------------------------------------------------------------------------------------


def test_candidates_in_rotated_cards_beside_the_official_order(village, django_assert_max_num_queries):
    election = listed(village)
    edit_candidate_profile(actor=village.account("member05"), candidate=Candidate.objects.get(person=village.person("member05")), profile="妇联主任", statement="办实事")
    official = ["王芳", "张伟", "陈静", "赵敏"]
    for seed, first in ((0, 0), (1, 1), (6, 2), (7, 3)):
        client = client_of(seed=seed)
        with django_assert_max_num_queries(8):
            response = client.get(url("candidates", election.pk))
        text = page_text(response)
        assert "The official candidate list In the order of the surnames' strokes, as on the ballot. " \
               "Fixed by the motion “关于确定支部委员会候选人名单的决议”. 王芳 张伟 陈静 赵敏" in text
        assert card_names(response) == official[first:] + official[:first]
    text = page_text(client_of(seed=2).get(url("candidates", election.pk)))
    assert "陈静 No. 3 on the list Profile 妇联主任 Statement 办实事" in text
    assert "赵敏 No. 4 on the list Profile Not written yet. Statement Not written yet." in text


def test_every_card_has_the_same_parts(village):
    election = listed(village)
    content = client_of(seed=0).get(url("candidates", election.pk)).content.decode()
    cards = re.findall(r'<li class="card candidate-card".*?</li>', content, flags=re.DOTALL)
    shapes = {re.sub(r">[^<]*<", "><", re.sub(r'(id|href)="[^"]*"', "", card)) for card in cards}
    assert len(cards) == 4 and len(shapes) == 1


def test_the_rotation_stays_put_for_one_visitor(village):
    election = listed(village)
    client = Client()
    first = card_names(client.get(url("candidates", election.pk)))
    assert card_names(client.get(url("candidates", election.pk))) == first
    assert card_names(client.get(url("questions", election.pk))) == []  # questions page lists no cards
    assert sorted(first) == sorted(["王芳", "张伟", "陈静", "赵敏"])


def test_rotated_keeps_the_cyclic_order():
    assert rotated(["a", "b", "c"], 4) == ["b", "c", "a"]
    assert rotated([], 3) == []


def test_a_candidate_edits_their_words_on_the_page_and_others_cannot(village):
    election = listed(village)
    candidate = Candidate.objects.get(person=village.person("member05"))
    own = client_of(village.account("member05"))
    assert "Write your profile and statement" in page_text(own.get(url("candidates", election.pk)))
    response = own.post(url("candidate_edit", election.pk, candidate.pk), {"profile": "妇联主任", "statement": "办实事"})
    assert response.status_code == 302
    response = own.post(url("candidate_edit", election.pk, candidate.pk), {"profile": "字" * 601, "statement": ""})
    assert "Ensure this value has at most 600 characters (it has 601)." in page_text(response)
    before = snapshot()
    other = client_of(village.account("member03"))
    assert other.get(url("candidate_edit", election.pk, candidate.pk)).status_code == 403
    assert other.post(url("candidate_edit", election.pk, candidate.pk), {"profile": "假", "statement": "假"}).status_code == 403
    assert snapshot() == before
    candidate.refresh_from_db()
    assert (candidate.profile, candidate.statement) == ("妇联主任", "办实事")


def test_the_candidate_page_shows_their_answers(village):
    election = listed(village)
    candidate = Candidate.objects.get(person=village.person("member05"))
    question = ask_question(actor=village.account("member10"), election=election, text="如何发展集体经济？")
    answer_question(actor=village.account("member05"), question=question, text="发展乡村旅游。")
    text = page_text(Client().get(url("candidate", election.pk, candidate.pk)))
    assert "陈静 No. 3 on the list" in text
    assert "Question: 如何发展集体经济？ Answer: 发展乡村旅游。" in text


# ---- questions -----------------------------------------------------------------------------------------


def test_every_question_with_every_candidates_answer_in_the_rotated_order(village, django_assert_max_num_queries):
    election = listed(village)
    first = ask_question(actor=village.account("member10"), election=election, text="如何发展集体经济？")
    ask_question(actor=village.account("member11"), election=election, text="怎样照顾留守老人？")
    answer_question(actor=village.account("member05"), question=first, text="发展乡村旅游。")
    client = client_of(seed=1)
    with django_assert_max_num_queries(8):
        response = client.get(url("questions", election.pk))
    text = page_text(response)
    assert (
        "如何发展集体经济？ Asked by 吴刚 张伟 : Not answered yet. 陈静 : 发展乡村旅游。 "
        "赵敏 : Not answered yet. 王芳 : Not answered yet."
    ) in text
    assert "怎样照顾留守老人？ Asked by 徐红 张伟 : Not answered yet. 陈静 : Not answered yet." in text


def test_ask_answer_and_hide_on_the_pages(village):
    election = listed(village)
    voter = client_of(village.account("member10"))
    assert voter.post(url("questions", election.pk), {"text": "如何发展集体经济？"}).status_code == 302
    question = Question.objects.get()
    candidate = client_of(village.account("member05"))
    assert "Answer" in page_text(candidate.get(url("questions", election.pk)))
    assert candidate.post(url("question_answer", election.pk, question.pk), {"text": "发展乡村旅游。"}).status_code == 302
    page = page_text(candidate.get(url("question_answer", election.pk, question.pk)))
    assert "Change your answer" in page
    committee = client_of(village.committee)
    assert committee.post(url("question_hide", election.pk, question.pk), {"reason": "重复提问"}).status_code == 302
    text = page_text(Client().get(url("questions", election.pk)))
    assert "This question was hidden by the election committee: 重复提问" in text
    assert "如何发展集体经济？" not in text


def test_refusals_on_the_question_pages_change_nothing(village):
    election = listed(village)
    question = ask_question(actor=village.account("member10"), election=election, text="问题")
    before = snapshot()
    assert client_of(village.probationary.user).post(url("questions", election.pk), {"text": "我也问"}).status_code == 403
    assert Client().post(url("questions", election.pk), {"text": "匿名问"}).status_code == 403
    voter = client_of(village.account("member10"))
    assert voter.post(url("question_answer", election.pk, question.pk), {"text": "我替他答"}).status_code == 403
    assert voter.post(url("question_hide", election.pk, question.pk), {"reason": "不喜欢"}).status_code == 403
    assert snapshot() == before
