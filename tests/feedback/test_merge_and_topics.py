"""Duplicates merge into one case and every reporter gets its answer; recurring problems become topics."""

import pytest
from django.core.exceptions import PermissionDenied

from tests.feedback.conftest import file_case
from tongxin.consultation.models import Topic
from tongxin.core.errors import ActionError
from tongxin.core.models import AuditEvent
from tongxin.feedback.actions import (
    answer_case,
    close_case,
    decline_case,
    give_feedback,
    merge_case,
    raise_topic,
)
from tongxin.feedback.models import Case, CaseStep, Status


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def pair(feedback_town) -> tuple[Case, Case]:
    main = file_case(feedback_town, reporter_email="a@example.org")
    duplicate = file_case(feedback_town, description="村口垃圾桶三天没人倒", reporter_email="b@example.org")
    return main, duplicate


def test_a_duplicate_joins_the_case_it_repeats(feedback_town, pair):
    main, duplicate = pair
    merge_case(case=duplicate, into=main, actor=feedback_town.handler, text="同一个垃圾桶")
    duplicate = fresh(duplicate)
    assert (duplicate.status, duplicate.merged_into, duplicate.next_escalation_at) == (Status.MERGED, main, None)
    assert duplicate.closed_at is not None
    step = duplicate.steps.get(kind="merged")
    assert (step.text, step.data, step.public) == ("同一个垃圾桶", {"into": main.code}, True)
    step = main.steps.get(kind="merged")
    assert (step.data, step.public) == ({"merged": duplicate.code}, False)


def test_the_answer_reaches_every_merged_reporter(feedback_town, pair):
    main, duplicate = pair
    merge_case(case=duplicate, into=main, actor=feedback_town.handler)
    answer_case(case=main, actor=feedback_town.handler, text="垃圾已清运，已增加清运频次。")
    main, duplicate = fresh(main), fresh(duplicate)
    assert (duplicate.status, duplicate.answer, duplicate.answered_at) == (Status.MERGED, main.answer, main.answered_at)
    step = duplicate.steps.get(kind="answered")
    assert (step.text, step.data, step.actor) == (main.answer, {"answered_with": main.code}, feedback_town.handler)


def test_a_chain_of_merges_is_answered_whole(feedback_town, pair):
    main, duplicate = pair
    third = file_case(feedback_town, description="垃圾太多")
    merge_case(case=third, into=duplicate, actor=feedback_town.handler)
    merge_case(case=duplicate, into=main, actor=feedback_town.handler)
    answer_case(case=main, actor=feedback_town.handler, text="已处理")
    assert [fresh(case).answer for case in (duplicate, third)] == ["已处理", "已处理"]
    assert fresh(third).steps.get(kind="answered").data == {"answered_with": main.code}


def test_merging_into_an_answered_case_answers_the_newcomer_at_once(feedback_town, pair):
    main, duplicate = pair
    earlier = file_case(feedback_town, description="垃圾桶满了")
    merge_case(case=earlier, into=main, actor=feedback_town.handler)
    answer_case(case=main, actor=feedback_town.handler, text="已清运")
    merge_case(case=duplicate, into=main, actor=feedback_town.handler)
    assert (fresh(duplicate).answer, fresh(duplicate).answered_at) == ("已清运", fresh(main).answered_at)
    assert duplicate.steps.filter(kind="answered").count() == 1
    # The case merged before is not answered a second time.
    assert earlier.steps.filter(kind="answered").count() == 1


def test_a_merged_reporter_who_is_not_satisfied_reopens_the_main_case(feedback_town, pair):
    main, duplicate = pair
    merge_case(case=duplicate, into=main, actor=feedback_town.handler)
    answer_case(case=main, actor=feedback_town.handler, text="已清运")
    give_feedback(case=duplicate, solved=False, satisfied=False, comment="还没清")
    main, duplicate = fresh(main), fresh(duplicate)
    assert (duplicate.status, duplicate.solved, duplicate.satisfied) == (Status.MERGED, False, False)
    assert main.status == Status.REOPENED
    assert main.steps.filter(kind="reopened").get().data == {"because": "merged_case_not_solved", "case": duplicate.code}
    with pytest.raises(ActionError, match="This case has no answer waiting for your verdict."):
        give_feedback(case=duplicate, solved=True, satisfied=True)


def test_an_unsolved_merged_verdict_reopens_a_main_case_already_closed(feedback_town, pair):
    main, duplicate = pair
    merge_case(case=duplicate, into=main, actor=feedback_town.handler)
    answer_case(case=main, actor=feedback_town.handler, text="已清运")
    give_feedback(case=main, solved=True, satisfied=True)
    give_feedback(case=duplicate, solved=False, satisfied=False)
    main = fresh(main)
    assert (main.status, main.closed_at) == (Status.REOPENED, None)


def test_a_solved_merged_verdict_leaves_the_main_case_alone(feedback_town, pair):
    main, duplicate = pair
    merge_case(case=duplicate, into=main, actor=feedback_town.handler)
    answer_case(case=main, actor=feedback_town.handler, text="已清运")
    give_feedback(case=duplicate, solved=True, satisfied=True)
    assert (fresh(main).status, fresh(duplicate).solved) == (Status.ANSWERED, True)


def test_merges_that_make_no_sense_are_refused(feedback_town, pair):
    town = feedback_town
    main, duplicate = pair
    with pytest.raises(ActionError, match="A case cannot be merged into itself."):
        merge_case(case=main, into=main, actor=town.handler)
    declined = file_case(town, description="重复")
    decline_case(case=declined, actor=town.handler, text="重复提交")
    with pytest.raises(ActionError, match="Merge into a case that is still open or answered."):
        merge_case(case=duplicate, into=declined, actor=town.handler)
    with pytest.raises(ActionError, match="Only an open case can be merged."):
        merge_case(case=declined, into=main, actor=town.handler)
    answer_case(case=main, actor=town.handler, text="已清运")
    close_case(case=main, actor=town.handler, text="")
    steps = CaseStep.objects.count()
    with pytest.raises(ActionError, match="Merge into a case that is still open or answered."):
        merge_case(case=duplicate, into=main, actor=town.handler)
    assert (CaseStep.objects.count(), fresh(duplicate).status) == (steps, Status.SUBMITTED)


def test_only_someone_who_works_on_both_cases_may_merge_them(feedback_town, pair):
    main, _duplicate = pair
    datian_case = file_case(feedback_town, place=feedback_town.datian)
    steps = CaseStep.objects.count()
    with pytest.raises(PermissionDenied):
        merge_case(case=datian_case, into=main, actor=feedback_town.datian_handler)
    with pytest.raises(PermissionDenied):
        merge_case(case=main, into=datian_case, actor=feedback_town.resident)
    assert (CaseStep.objects.count(), fresh(datian_case).status) == (steps, Status.SUBMITTED)


def test_a_group_of_cases_becomes_a_topic_for_the_council(feedback_town, pair):
    town = feedback_town
    topic = raise_topic(
        cases=list(pair), actor=town.handler, council=town.council, title=" 村口垃圾点的选址 ", description="一个月来反映五次"
    )
    assert (topic.council, topic.title, topic.description, topic.source, topic.proposed_by) == (
        town.council, "村口垃圾点的选址", "一个月来反映五次", "cases", town.handler,
    )
    assert set(topic.cases.all()) == set(pair)
    for case in pair:
        step = case.steps.get(kind="topic")
        assert (step.text, step.data, step.actor) == ("村口垃圾点的选址", {"topic": topic.pk}, town.handler)
    event = AuditEvent.objects.get(verb="topic.raise")
    assert (event.actor_id, event.data) == (town.handler.pk, {"cases": [case.code for case in pair]})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"cases": []}, "Choose the cases behind the topic."),
        ({"council": "xiaozhai_office"}, "Topics go to a consultation council."),
        ({"title": "  "}, "Give the topic a title of at most 200 characters."),
        ({"title": "题" * 201}, "Give the topic a title of at most 200 characters."),
    ],
)
def test_a_topic_needs_cases_a_council_and_a_title(feedback_town, pair, change, message):
    town = feedback_town
    fields = {"cases": list(pair), "actor": town.handler, "council": town.council, "title": "垃圾点"} | change
    if isinstance(fields["council"], str):
        fields["council"] = getattr(town, fields["council"])
    steps = CaseStep.objects.count()
    with pytest.raises(ActionError) as refusal:
        raise_topic(**fields)
    assert str(refusal.value.message) == message
    assert (Topic.objects.count(), CaseStep.objects.count()) == (0, steps)


@pytest.mark.parametrize("who", ["resident", "datian_handler", "duty_officer"])
def test_only_case_staff_raise_topics(feedback_town, pair, who):
    steps = CaseStep.objects.count()
    with pytest.raises(PermissionDenied):
        raise_topic(cases=list(pair), actor=getattr(feedback_town, who), council=feedback_town.council, title="垃圾点")
    assert (Topic.objects.count(), CaseStep.objects.count()) == (0, steps)
