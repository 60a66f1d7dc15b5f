"""The candidates' own words in the same space for all, and voters' questions that every
candidate may answer, through the actions."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tests.elections.test_nominations_helpers import listed, nominating
from tongxin.core.errors import ActionError
from tongxin.core.models import AuditEvent
from tongxin.elections.actions.nominations import (
    answer_question,
    ask_question,
    edit_candidate_profile,
    hide_question,
)
from tongxin.elections.models import (
    PROFILE_LENGTH,
    STATEMENT_LENGTH,
    Answer,
    Candidate,
    Phase,
    Question,
)

pytestmark = pytest.mark.django_db


def candidate_of(village, election, account):
    return Candidate.objects.get(election=election, person=village.person(account))


def test_a_candidate_writes_their_profile_and_statement(village):
    election = listed(village)
    candidate = candidate_of(village, election, "member05")
    candidate = edit_candidate_profile(
        actor=village.account("member05"), candidate=candidate, profile=" 1979年生，村妇联主任。 ", statement="为村民办实事。",
    )
    candidate.refresh_from_db()
    assert (candidate.profile, candidate.statement) == ("1979年生，村妇联主任。", "为村民办实事。")
    assert AuditEvent.objects.filter(verb="election.edit_candidate_profile").get().data == {"profile": 13, "statement": 7}


def test_the_same_limits_for_every_candidate(village):
    election = listed(village)
    candidate = candidate_of(village, election, "member05")
    edit_candidate_profile(
        actor=village.account("member05"), candidate=candidate, profile="字" * PROFILE_LENGTH, statement="字" * STATEMENT_LENGTH,
    )
    with pytest.raises(ActionError) as error:
        edit_candidate_profile(
            actor=village.account("member05"), candidate=candidate, profile="字" * (PROFILE_LENGTH + 1), statement="",
        )
    assert error.value.message == "The profile is 601 characters long; the limit, the same for everyone, is 600."
    with pytest.raises(ActionError, match="The statement is 1201 characters long"):
        edit_candidate_profile(
            actor=village.account("member05"), candidate=candidate, profile="", statement="字" * (STATEMENT_LENGTH + 1),
        )
    candidate.refresh_from_db()
    assert len(candidate.profile) == PROFILE_LENGTH


def test_nobody_else_writes_a_candidates_profile(village):
    election = listed(village)
    candidate = candidate_of(village, election, "member05")
    for actor in (village.account("member03"), village.committee, village.admin):
        with pytest.raises(PermissionDenied):
            edit_candidate_profile(actor=actor, candidate=candidate, profile="假的", statement="")
    candidate.refresh_from_db()
    assert (candidate.profile, AuditEvent.objects.filter(verb="election.edit_candidate_profile").count()) == ("", 0)


def test_profiles_close_with_the_vote(village):
    election = listed(village)
    election.phase = Phase.VOTING
    election.voting_closes_at = timezone.now() - datetime.timedelta(minutes=1)
    election.save(update_fields=["phase", "voting_closes_at"])
    with pytest.raises(ActionError, match="Voting has closed."):
        edit_candidate_profile(actor=village.account("member05"), candidate=candidate_of(village, election, "member05"), profile="迟到", statement="")


def test_voters_ask_and_every_candidate_answers_once_editable(village):
    election = listed(village)
    question = ask_question(actor=village.account("member10"), election=election, text=" 如何发展集体经济？ ")
    assert (question.text, question.asked_by) == ("如何发展集体经济？", village.person("member10"))
    answer_question(actor=village.account("member05"), question=question, text="发展乡村旅游。")
    answer_question(actor=village.account("member05"), question=question, text="发展乡村旅游和合作社。")
    answer_question(actor=village.account("member07"), question=question, text="盘活闲置资产。")
    assert sorted(Answer.objects.values_list("candidate__person__name", "text")) == [
        ("赵敏", "盘活闲置资产。"), ("陈静", "发展乡村旅游和合作社。"),
    ]
    assert list(AuditEvent.objects.filter(verb__in=["election.answer_question", "election.edit_answer"]).values_list("verb", flat=True)) == [
        "election.answer_question", "election.edit_answer", "election.answer_question",
    ]


def test_only_eligible_voters_ask_and_only_once_the_list_is_fixed(village):
    election = nominating(village)
    with pytest.raises(PermissionDenied):
        ask_question(actor=village.account("member10"), election=election, text="太早了？")
    election = listed(village, title="第二次选举")
    for actor in (village.probationary.user, village.outsider, village.account("villager15"), village.committee):
        with pytest.raises(PermissionDenied):
            ask_question(actor=actor, election=election, text="可以问吗？")
    with pytest.raises(ActionError, match="Write your question."):
        ask_question(actor=village.account("member10"), election=election, text="   ")
    assert Question.objects.count() == 0


def test_only_candidates_answer(village):
    election = listed(village)
    question = ask_question(actor=village.account("member10"), election=election, text="问题")
    for actor in (village.account("member10"), village.committee):
        with pytest.raises(PermissionDenied):
            answer_question(actor=actor, question=question, text="我来答")
    assert Answer.objects.count() == 0


def test_the_committee_hides_a_question_with_a_public_reason(village):
    election = listed(village)
    question = ask_question(actor=village.account("member10"), election=election, text="某某的家事如何？")
    with pytest.raises(PermissionDenied):
        hide_question(actor=village.account("member05"), question=question, reason="不相关")
    with pytest.raises(ActionError, match="Give the reason for hiding the question"):
        hide_question(actor=village.committee, question=question, reason=" ")
    question = hide_question(actor=village.committee, question=question, reason="涉及他人隐私")
    assert question.hidden_reason == "涉及他人隐私"
    with pytest.raises(ActionError, match="This question has been hidden by the election committee."):
        answer_question(actor=village.account("member05"), question=question, text="答")
