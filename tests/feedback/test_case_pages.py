"""A case on the workbench: what handlers see, and every step through its forms, allowed and denied."""

import io

import pytest
from django.core import mail
from PIL import Image

from tests.feedback.conftest import file_case
from tests.helpers import page_text, sign_in
from tongxin.consultation.models import Topic
from tongxin.feedback.actions import acknowledge_case, answer_case, record_progress, take_case
from tongxin.feedback.models import Case, CaseStep, Channel, Privacy, ResponseTemplate, Status, StepKind


def case_url(case, step=""):
    return f"/cases/{case.code}/{step + '/' if step else ''}"


def steps_of(case):
    return list(CaseStep.objects.filter(case=case).values_list("kind", flat=True))


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "JPEG")
    return buffer.getvalue()


# -- Seeing a case --------------------------------------------------------------------------------


def test_handler_sees_the_whole_case_with_the_reporters_contact(client, feedback_town, new_case):
    record_progress(case=new_case, actor=feedback_town.handler, text="Called the cleaning team.", public=False)
    sign_in(client, feedback_town.handler)
    response = client.get(case_url(new_case))
    text = page_text(response)
    assert response.status_code == 200
    assert f"Case {new_case.code}" in text
    assert "垃圾桶满了没人清理" in text
    assert "Reporter 王芳" in text
    assert "wangfang@example.org" in text
    assert "· handler · Submitted Called the cleaning team." in text
    assert "Internal note Internal" in text
    assert "Sanitation Workgroup" in text
    assert "Website" in text


def test_hidden_name_is_shown_to_handlers_with_a_warning(client, feedback_town):
    case = file_case(feedback_town, privacy=Privacy.HIDDEN, reporter_phone="13800000000")
    sign_in(client, feedback_town.handler)
    text = page_text(client.get(case_url(case)))
    assert "Reporter 王芳 (name hidden from the public) 13800000000" in text


def test_anonymous_case_shows_no_reporter(client, feedback_town):
    case = file_case(feedback_town, privacy=Privacy.ANONYMOUS)
    sign_in(client, feedback_town.handler)
    text = page_text(client.get(case_url(case)))
    assert "Reporter Anonymous Channel" in text
    assert "王芳" not in text


def test_map_point_is_shown_as_numbers_and_a_geo_link(client, feedback_town):
    case = file_case(feedback_town, latitude="28.850000", longitude="121.120000", address="村口")
    sign_in(client, feedback_town.handler)
    response = client.get(case_url(case))
    assert "28.850000, 121.120000" in page_text(response)
    assert 'href="geo:28.850000,121.120000"' in response.content.decode()


def test_photos_link_to_the_photo_view(client, feedback_town):
    case = file_case(feedback_town, photos=[jpeg()])
    photo = case.photos.get()
    sign_in(client, feedback_town.handler)
    content = client.get(case_url(case)).content.decode()
    assert f'src="/cases/{case.code}/photos/{photo.pk}/"' in content


def test_deadlines_show_what_is_overdue(client, feedback_town, new_case):
    Case.objects.filter(pk=new_case.pk).update(answer_due="2020-01-01T00:00:00Z")
    sign_in(client, feedback_town.handler)
    text = page_text(client.get(case_url(new_case)))
    assert "Submitted overdue" in text
    assert "overdue" in text.split("Answer by", 1)[1]


@pytest.mark.parametrize("who", ["resident", "datian_handler"])
def test_others_get_404_for_the_case(client, feedback_town, new_case, who):
    sign_in(client, getattr(feedback_town, who))
    assert client.get(case_url(new_case)).status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(client, new_case):
    response = client.get(case_url(new_case))
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/cases/{new_case.code}/"


def test_reporter_with_an_account_is_sent_to_the_tracking_page(client, feedback_town):
    case = file_case(feedback_town, actor=feedback_town.resident)
    sign_in(client, feedback_town.resident)
    response = client.get(case_url(case))
    assert response.status_code == 302
    assert response["Location"] == f"/track/{case.code}/"


def test_supervisor_reads_but_gets_no_forms(client, feedback_town, new_case):
    sign_in(client, feedback_town.supervisor)
    response = client.get(case_url(new_case))
    assert response.status_code == 200
    assert "Work on the case" not in page_text(response)


def test_forms_follow_the_status(client, feedback_town, new_case):
    sign_in(client, feedback_town.handler)
    content = client.get(case_url(new_case)).content.decode()
    for step in ("acknowledge", "take", "assign", "progress", "answer", "merge", "refer", "decline", "publish", "topic"):
        assert f'action="/cases/{new_case.code}/{step}/"' in content
    assert f"/cases/{new_case.code}/reopen/" not in content
    answer_case(case=new_case, actor=feedback_town.handler, text="Emptied.")
    content = client.get(case_url(new_case)).content.decode()
    for step in ("reopen", "close", "publish", "topic"):
        assert f'action="/cases/{new_case.code}/{step}/"' in content
    for step in ("acknowledge", "answer", "merge", "decline"):
        assert f'action="/cases/{new_case.code}/{step}/"' not in content


# -- Steps ----------------------------------------------------------------------------------------


def test_full_answer_flow_through_the_pages_emails_the_reporter(
    client, feedback_town, new_case, django_capture_on_commit_callbacks
):
    sign_in(client, feedback_town.handler)
    mail.outbox.clear()
    posts = [
        ("acknowledge", {"acknowledge-text": "We are on it."}),
        ("take", {}),
        ("progress", {"progress-text": "The truck is coming.", "progress-public": "on"}),
        ("answer", {"answer-text": "The bins were emptied this morning."}),
    ]
    for step, data in posts:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(case_url(new_case, step), data)
        assert response.status_code == 302, (step, page_text(response))
        assert response["Location"] == case_url(new_case)
    new_case.refresh_from_db()
    assert new_case.status == Status.ANSWERED
    assert new_case.handler == feedback_town.handler
    assert steps_of(new_case) == ["submitted", "acknowledged", "taken", "progress", "answered"]
    assert [message.to for message in mail.outbox] == [["wangfang@example.org"]]
    assert mail.outbox[0].subject.endswith(f"Your case {new_case.code} has been answered")
    assert "The bins were emptied this morning." in mail.outbox[0].body
    text = page_text(client.get(case_url(new_case)))
    assert "The answer is sent to the reporter." in text
    assert "Answer The bins were emptied this morning." in text


def test_internal_note_with_a_photo(client, feedback_town, new_case):
    sign_in(client, feedback_town.handler)
    photo = io.BytesIO(jpeg())
    photo.name = "bins.jpg"
    response = client.post(case_url(new_case, "progress"), {"progress-text": "Only for us.", "progress-photos": photo})
    assert response.status_code == 302
    step = new_case.steps.get(kind=StepKind.NOTE)
    assert (step.text, step.public, step.photos.count()) == ("Only for us.", False, 1)
    new_case.refresh_from_db()
    assert new_case.status == Status.SUBMITTED


def test_action_error_comes_back_on_its_form(client, feedback_town, new_case):
    sign_in(client, feedback_town.handler)
    before = steps_of(new_case)
    response = client.post(case_url(new_case, "progress"), {"progress-text": ""})
    assert response.status_code == 400
    assert "Write what was done, or add a photo." in page_text(response)
    assert 'id="progress" open' in response.content.decode()
    assert steps_of(new_case) == before


def test_invalid_form_is_a_400_and_changes_nothing(client, feedback_town, new_case):
    sign_in(client, feedback_town.handler)
    response = client.post(case_url(new_case, "decline"), {"decline-text": ""})
    assert response.status_code == 400
    assert "This field is required." in page_text(response)
    new_case.refresh_from_db()
    assert new_case.status == Status.SUBMITTED


@pytest.mark.parametrize(
    ("step", "data"),
    [
        ("acknowledge", {}),
        ("take", {}),
        ("answer", {"answer-text": "Done."}),
        ("decline", {"decline-text": "No."}),
        ("publish", {"publish-published": "False"}),
    ],
)
def test_supervisor_may_not_work_on_the_case(client, feedback_town, new_case, step, data):
    sign_in(client, feedback_town.supervisor)
    before = steps_of(new_case)
    assert client.post(case_url(new_case, step), data).status_code == 403
    new_case.refresh_from_db()
    assert (new_case.status, new_case.published, steps_of(new_case)) == (Status.SUBMITTED, True, before)


@pytest.mark.parametrize("who", ["resident", "datian_handler"])
@pytest.mark.parametrize("step", ["acknowledge", "take", "answer", "topic"])
def test_others_get_404_on_steps(client, feedback_town, new_case, who, step):
    sign_in(client, getattr(feedback_town, who))
    before = steps_of(new_case)
    response = client.post(case_url(new_case, step), {"answer-text": "Done.", "topic-title": "Bins"})
    assert response.status_code == 404
    new_case.refresh_from_db()
    assert (new_case.status, steps_of(new_case), Topic.objects.count()) == (Status.SUBMITTED, before, 0)


def test_unknown_step_is_404_and_get_is_405(client, feedback_town, new_case):
    sign_in(client, feedback_town.handler)
    assert client.post(case_url(new_case, "shred")).status_code == 404
    assert client.get(case_url(new_case, "answer")).status_code == 405


def test_assign_to_a_handler_of_the_chosen_workgroup(client, feedback_town, new_case):
    sign_in(client, feedback_town.handler)
    response = client.get(case_url(new_case) + f"?workgroup={feedback_town.xiaozhai_office.pk}")
    content = response.content.decode()
    assert f'<option value="{feedback_town.office_handler.pk}">office_handler</option>' in content
    response = client.post(
        case_url(new_case, "assign"),
        {"assign-workgroup": feedback_town.xiaozhai_office.pk, "assign-handler": feedback_town.office_handler.pk},
    )
    assert response.status_code == 302
    new_case.refresh_from_db()
    assert (new_case.assigned_to, new_case.handler, new_case.status) == (
        feedback_town.xiaozhai_office,
        feedback_town.office_handler,
        Status.ASSIGNED,
    )


def test_assign_offers_only_holders_in_the_town(client, feedback_town, new_case):
    sign_in(client, feedback_town.handler)
    response = client.post(case_url(new_case, "assign"), {"assign-workgroup": feedback_town.xiaozhai.pk})
    assert response.status_code == 400
    assert "Select a valid choice." in page_text(response)


def test_response_template_prefills_the_answer(client, feedback_town, new_case):
    template = ResponseTemplate.objects.create(
        organisation=feedback_town.xiaozhai, category=new_case.category, title="Bins emptied", text="Emptied today."
    )
    ResponseTemplate.objects.create(organisation=feedback_town.datian, title="Datian only", text="Not here.")
    sign_in(client, feedback_town.handler)
    content = client.get(case_url(new_case) + f"?template={template.pk}").content.decode()
    assert "Emptied today.</textarea>" in content
    assert "Datian only" not in content


def test_merge_by_tracking_code(client, feedback_town, new_case):
    duplicate = file_case(feedback_town, description="垃圾桶又满了")
    sign_in(client, feedback_town.handler)
    response = client.post(case_url(duplicate, "merge"), {"merge-into": new_case.code.lower().replace("-", "")})
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into) == (Status.MERGED, new_case)
    text = page_text(client.get(case_url(new_case)))
    assert f"Cases merged into it {duplicate.code}" in text


def test_merge_into_an_unknown_code_is_an_error(client, feedback_town, new_case):
    sign_in(client, feedback_town.handler)
    response = client.post(case_url(new_case, "merge"), {"merge-into": "2222-2222"})
    assert response.status_code == 400
    assert "No case you can open has the tracking code 2222-2222." in page_text(response)
    new_case.refresh_from_db()
    assert new_case.status == Status.SUBMITTED


def test_merge_suggestions_list_likely_duplicates(client, feedback_town, new_case):
    duplicate = file_case(feedback_town, description="垃圾桶满了没人清理")
    sign_in(client, feedback_town.handler)
    content = client.get(case_url(duplicate)).content.decode()
    assert f'name="merge-into" value="{new_case.code}"' in content


def test_refer_up_goes_to_the_office_above_by_default(client, feedback_town, new_case):
    sign_in(client, feedback_town.handler)
    response = client.post(case_url(new_case, "refer"), {"refer-text": "Needs the committee."})
    assert response.status_code == 302
    new_case.refresh_from_db()
    assert (new_case.status, new_case.assigned_to) == (Status.REFERRED, feedback_town.xiaozhai_office)


def test_decline_with_a_reason(client, feedback_town, new_case):
    sign_in(client, feedback_town.handler)
    response = client.post(case_url(new_case, "decline"), {"decline-text": "Private property."})
    assert response.status_code == 302
    new_case.refresh_from_db()
    assert (new_case.status, new_case.answer) == (Status.DECLINED, "Private property.")


def test_unpublish_and_publish(client, feedback_town, new_case):
    sign_in(client, feedback_town.handler)
    assert client.post(case_url(new_case, "publish"), {"publish-published": "False"}).status_code == 302
    new_case.refresh_from_db()
    assert new_case.published is False
    assert "Keep off the public board" not in page_text(client.get(case_url(new_case)))
    assert client.post(case_url(new_case, "publish"), {"publish-published": "True"}).status_code == 302
    new_case.refresh_from_db()
    assert new_case.published is True


def test_reopen_and_close(client, feedback_town, new_case):
    answer_case(case=new_case, actor=feedback_town.handler, text="Emptied.")
    sign_in(client, feedback_town.handler)
    assert client.post(case_url(new_case, "close"), {"close-text": ""}).status_code == 302
    new_case.refresh_from_db()
    assert new_case.status == Status.CLOSED
    assert client.post(case_url(new_case, "reopen"), {"reopen-text": "It is full again."}).status_code == 302
    new_case.refresh_from_db()
    assert new_case.status == Status.REOPENED


def test_raise_a_topic_with_other_cases(client, feedback_town, new_case):
    other = file_case(feedback_town, description="垃圾站太远")
    sign_in(client, feedback_town.handler)
    response = client.post(
        case_url(new_case, "topic"),
        {"topic-council": feedback_town.council.pk, "topic-title": "Bins in the village", "topic-other_cases": other.code},
    )
    assert response.status_code == 302
    topic = Topic.objects.get()
    assert (topic.council, topic.title) == (feedback_town.council, "Bins in the village")
    assert set(topic.cases.all()) == {new_case, other}
    text = page_text(client.get(case_url(new_case)))
    assert "Consultation topics Bins in the village · Xiaozhai Council · Proposed" in text


def test_take_as_the_duty_officer_only_for_urgent_cases(client, feedback_town, new_case):
    urgent = file_case(feedback_town, urgent=True)
    sign_in(client, feedback_town.duty_officer)
    assert client.post(case_url(urgent, "take")).status_code == 302
    assert client.post(case_url(new_case, "take")).status_code == 403
    new_case.refresh_from_db()
    assert new_case.handler is None


def test_acknowledged_steps_are_marked_public_in_the_ledger(client, feedback_town, new_case):
    acknowledge_case(case=new_case, actor=feedback_town.handler)
    take_case(case=new_case, actor=feedback_town.handler)
    sign_in(client, feedback_town.handler)
    text = page_text(client.get(case_url(new_case)))
    assert "Acknowledged Shown to the reporter" in text
    assert "Taken up Shown to the reporter" in text


def test_reception_case_shows_who_entered_it(client, feedback_town):
    case = file_case(feedback_town, channel=Channel.RECEPTION, actor=feedback_town.duty_officer)
    sign_in(client, feedback_town.handler)
    text = page_text(client.get(case_url(case)))
    assert "Channel Reception desk Entered by duty_officer" in text


@pytest.mark.parametrize("notes", [1, 10])
def test_case_page_queries_do_not_grow_with_the_ledger(client, feedback_town, new_case, django_assert_max_num_queries, notes):
    for number in range(notes):
        record_progress(case=new_case, actor=feedback_town.handler, text=f"Note {number}", public=False, photos=[jpeg()])
    sign_in(client, feedback_town.handler)
    with django_assert_max_num_queries(28):
        response = client.get(case_url(new_case))
    assert page_text(response).count("Internal note Internal") == notes
