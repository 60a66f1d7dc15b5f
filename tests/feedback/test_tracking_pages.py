"""Following a case: lookup by tracking code and PIN, the tracking page, the verdict, my cases, photos."""

import datetime
from io import BytesIO

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from PIL import Image

from tests.feedback.conftest import file_case
from tests.helpers import page_text, sign_in
from tongxin.feedback.actions import answer_case, merge_case, record_progress, set_published
from tongxin.feedback.models import Case, CasePhoto, CaseStep, Privacy, Status

pytestmark = pytest.mark.usefixtures("in_english")


@pytest.fixture(autouse=True)
def _empty_cache(db):
    cache.clear()
    yield
    cache.clear()


def png() -> bytes:
    out = BytesIO()
    Image.new("RGB", (30, 20), "blue").save(out, "PNG")
    return out.getvalue()


def with_pin(town, **fields):
    return file_case(town, privacy=Privacy.ANONYMOUS, pin="4321", **fields)


# -- Lookup and PIN ----------------------------------------------------------------------------


def test_lookup_without_a_pin_goes_to_the_case(client, new_case):
    response = client.post("/track/", {"code": new_case.code.lower().replace("-", " ")})
    assert response.status_code == 302 and response["Location"] == f"/track/{new_case.code}/"


def test_lookup_of_an_unknown_code_says_so(client, feedback_town):
    response = client.post("/track/", {"code": "2222-2222"})
    assert response.status_code == 404
    assert "Tracking code: No case has this tracking code." in page_text(response)


def test_an_unknown_code_is_not_found(client, feedback_town):
    response = client.get("/track/2222-2222/")
    assert response.status_code == 404
    assert "Tracking code: No case has this tracking code." in page_text(response)


def test_a_case_with_a_pin_asks_for_it_and_the_right_pin_opens_it(client, feedback_town):
    case = with_pin(feedback_town)
    locked = client.get(f"/track/{case.code}/")
    assert locked.status_code == 403
    assert f"Case {case.code} has a PIN" in page_text(locked)
    assert case.description not in page_text(locked)
    response = client.post(f"/track/{case.code}/", {"pin": "4321"})
    assert response.status_code == 302
    opened = client.get(f"/track/{case.code}/")
    assert opened.status_code == 200
    assert case.description in page_text(opened)


def test_the_pin_is_accepted_on_the_lookup_form(client, feedback_town):
    case = with_pin(feedback_town)
    response = client.post("/track/", {"code": case.code, "pin": "4321"})
    assert response.status_code == 302
    assert client.get(f"/track/{case.code}/").status_code == 200


def test_a_wrong_pin_is_refused_and_changes_nothing(client, feedback_town):
    case = with_pin(feedback_town)
    steps_before = CaseStep.objects.count()
    response = client.post(f"/track/{case.code}/", {"pin": "0000"})
    assert response.status_code == 403
    assert "PIN: The PIN does not match this case." in page_text(response)
    assert client.get(f"/track/{case.code}/").status_code == 403
    # Nor may a verdict be given without it.
    response = client.post(f"/track/{case.code}/verdict/", {"solved": "yes", "satisfied": "yes"})
    case.refresh_from_db()
    assert (case.status, case.feedback_at, CaseStep.objects.count()) == (Status.SUBMITTED, None, steps_before)


def test_wrong_pins_are_limited_per_code_whatever_the_browser(feedback_town):
    case, other = with_pin(feedback_town), with_pin(feedback_town, description="另一个问题")
    for number in range(10):
        # A new browser each time, from different addresses: clearing cookies does not help.
        Client(REMOTE_ADDR=f"10.0.0.{number}").post(f"/track/{case.code}/", {"pin": "0000"})
    response = Client().post(f"/track/{case.code}/", {"pin": "4321"})
    assert response.status_code == 403
    assert "Too many wrong PINs. Wait an hour and try again" in page_text(response)
    # Other codes are not affected.
    assert Client().post(f"/track/{other.code}/", {"pin": "4321"}).status_code == 302


def test_wrong_pins_are_limited_per_address(feedback_town):
    cases = [with_pin(feedback_town, description=f"第{number}个问题") for number in range(5)]
    for case in cases:
        for _ in range(4):
            Client().post(f"/track/{case.code}/", {"pin": "0000"})
    response = Client().post("/track/", {"code": cases[0].code, "pin": "4321"})
    assert response.status_code == 403
    assert "Too many wrong PINs." in page_text(response)


# -- The tracking page -------------------------------------------------------------------------


def test_the_tracking_page_shows_status_deadline_and_public_steps(client, feedback_town, new_case):
    record_progress(case=new_case, actor=feedback_town.handler, text="已派人清理", public=True)
    record_progress(case=new_case, actor=feedback_town.handler, text="内部：清洁工请假", public=False)
    text = page_text(client.get(f"/track/{new_case.code}/"))
    assert "Status: In progress Work on your case is under way." in text
    assert "Category Litter and rubbish Place Xiaozhai Village" in text
    assert "Answer by" in text
    assert "已派人清理" in text
    assert "内部：清洁工请假" not in text and "Internal note" not in text
    # Staff steps are signed by the unit handling the case, not by a person's account name.
    assert "Submitted" in text and "Reporter" in text and "Sanitation Workgroup" in text
    assert " handler " not in f" {text} "
    assert "Hidden from the public" not in text and "May be shown with the case." in text
    # Nothing personal about the reporter.
    assert "王芳" not in text and "wangfang@example.org" not in text


def test_an_overdue_case_says_so(client, feedback_town, new_case):
    Case.objects.filter(pk=new_case.pk).update(answer_due=timezone.now() - datetime.timedelta(hours=1))
    text = page_text(client.get(f"/track/{new_case.code}/"))
    assert "The answer is overdue." in text and "overdue" in text


def test_an_anonymous_case_says_nobody_knows_the_reporter(client, feedback_town):
    case = file_case(feedback_town, privacy=Privacy.ANONYMOUS)
    assert "Anonymous: nobody knows who reported this case." in page_text(client.get(f"/track/{case.code}/"))


def test_the_answer_and_the_verdict_solved_closes_the_case(client, feedback_town, new_case):
    answer_case(case=new_case, actor=feedback_town.handler, text="已清理完毕")
    text = page_text(client.get(f"/track/{new_case.code}/"))
    assert "The answer 已清理完毕" in text
    assert "Is the problem solved?" in text
    response = client.post(f"/track/{new_case.code}/verdict/", {"solved": "yes", "satisfied": "yes", "comment": "谢谢"})
    assert response.status_code == 302 and response["Location"] == f"/track/{new_case.code}/"
    new_case.refresh_from_db()
    assert (new_case.status, new_case.solved, new_case.satisfied) == (Status.CLOSED, True, True)
    after = page_text(client.get(response["Location"]))
    assert "Thank you. The case is closed." in after
    assert "You said the problem is solved. You were satisfied with the answer." in after
    assert "Is the problem solved?" not in after


def test_the_verdict_not_solved_reopens_the_case(client, feedback_town, new_case):
    answer_case(case=new_case, actor=feedback_town.handler, text="已清理完毕")
    client.post(f"/track/{new_case.code}/verdict/", {"solved": "no", "satisfied": "no"})
    new_case.refresh_from_db()
    assert (new_case.status, new_case.solved, new_case.satisfied) == (Status.REOPENED, False, False)


def test_a_verdict_on_an_unanswered_case_is_refused(client, new_case):
    response = client.post(f"/track/{new_case.code}/verdict/", {"solved": "yes", "satisfied": "yes"}, follow=True)
    assert "This case has no answer waiting for your verdict." in page_text(response)
    new_case.refresh_from_db()
    assert new_case.status == Status.SUBMITTED


def test_a_merged_case_with_an_answer_asks_for_a_verdict(client, feedback_town, new_case):
    duplicate = file_case(feedback_town, description="东门垃圾桶又满了")
    merge_case(case=duplicate, into=new_case, actor=feedback_town.handler)
    answer_case(case=new_case, actor=feedback_town.handler, text="已清理完毕")
    text = page_text(client.get(f"/track/{duplicate.code}/"))
    assert "Status: Merged Others reported the same problem" in text
    assert "Is the problem solved?" in text
    assert new_case.code not in text


# -- My cases ----------------------------------------------------------------------------------


def test_my_cases_lists_the_residents_own_cases(client, feedback_town, django_assert_max_num_queries):
    resident = feedback_town.resident
    for number in range(3):
        file_case(feedback_town, actor=resident, description=f"路灯坏了{number}")
    file_case(feedback_town, description="别人的案件")
    sign_in(client, resident)
    with django_assert_max_num_queries(8):
        response = client.get("/my-cases/")
    text = page_text(response)
    assert [case.title for case in Case.objects.filter(reporter=resident)] == ["路灯坏了2", "路灯坏了1", "路灯坏了0"]
    assert text.index("路灯坏了2") < text.index("路灯坏了1") < text.index("路灯坏了0")
    assert "别人的案件" not in text
    assert "Anonymous cases are not listed here" in text


def test_my_cases_query_count_does_not_grow_with_the_list(client, feedback_town, django_assert_max_num_queries):
    resident = feedback_town.resident
    for number in range(25):
        file_case(feedback_town, actor=resident, description=f"路灯坏了{number}")
    sign_in(client, resident)
    with django_assert_max_num_queries(8):
        response = client.get("/my-cases/")
    assert "Page 1 of 2" in page_text(response)


def test_my_cases_needs_sign_in(client, feedback_town):
    response = client.get("/my-cases/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_owner_opens_their_case_without_the_pin(client, feedback_town):
    case = file_case(feedback_town, actor=feedback_town.resident, pin="4321")
    sign_in(client, feedback_town.resident)
    assert client.get(f"/track/{case.code}/").status_code == 200


# -- Photos ------------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def photo_of(case):
    return CasePhoto.objects.filter(case=case).first()


def test_a_photo_is_served_to_whoever_holds_the_code_of_a_case_without_pin(client, feedback_town, media):
    case = file_case(feedback_town, privacy=Privacy.HIDDEN, photos=[png()])
    response = client.get(f"/cases/{case.code}/photos/{photo_of(case).pk}/")
    assert response.status_code == 200
    assert (response["Content-Type"], response["X-Content-Type-Options"]) == ("image/png", "nosniff")
    assert response["Cache-Control"].startswith("private")


def test_a_photo_of_a_case_with_a_pin_needs_the_pin_or_the_staff(client, feedback_town, media):
    case = file_case(feedback_town, privacy=Privacy.HIDDEN, photos=[png()], pin="4321")
    url = f"/cases/{case.code}/photos/{photo_of(case).pk}/"
    assert client.get(url).status_code == 404
    client.post(f"/track/{case.code}/", {"pin": "4321"})
    assert client.get(url).status_code == 200
    staff = Client()
    sign_in(staff, feedback_town.handler)
    assert staff.get(url).status_code == 200
    resident = Client()
    sign_in(resident, feedback_town.resident)
    assert resident.get(url).status_code == 404


def test_a_photo_of_a_published_public_case_is_public(client, feedback_town, media):
    case = file_case(feedback_town, privacy=Privacy.PUBLIC, photos=[png()], pin="4321")
    url = f"/cases/{case.code}/photos/{photo_of(case).pk}/"
    assert client.get(url).status_code == 200
    set_published(case=case, actor=feedback_town.handler, published=False)
    assert client.get(url).status_code == 404


def test_a_photo_of_an_internal_note_is_for_staff_only(client, feedback_town, new_case, media):
    step = record_progress(case=new_case, actor=feedback_town.handler, text="内部照片", public=False, photos=[png()])
    url = f"/cases/{new_case.code}/photos/{step.photos.get().pk}/"
    assert client.get(url).status_code == 404
    assert url not in client.get(f"/track/{new_case.code}/").content.decode()
    staff = Client()
    sign_in(staff, feedback_town.handler)
    assert staff.get(url).status_code == 200


def test_a_photo_must_belong_to_the_case(client, feedback_town, media):
    case = file_case(feedback_town, photos=[png()])
    other = file_case(feedback_town, description="另一个问题")
    assert client.get(f"/cases/{other.code}/photos/{photo_of(case).pk}/").status_code == 404


def test_the_tracking_page_links_the_reporters_photos(client, feedback_town, media):
    case = file_case(feedback_town, photos=[png()])
    assert f"/cases/{case.code}/photos/{photo_of(case).pk}/" in client.get(f"/track/{case.code}/").content.decode()


def test_staff_may_read_past_the_pin_but_not_rate_for_the_reporter(client, feedback_town):
    case = with_pin(feedback_town)
    answer_case(case=case, actor=feedback_town.handler, text="已清理完毕")
    sign_in(client, feedback_town.handler)
    page = client.get(f"/track/{case.code}/")
    assert page.status_code == 200
    assert "Is the problem solved?" not in page_text(page)
    client.post(f"/track/{case.code}/verdict/", {"solved": "yes", "satisfied": "yes"})
    case.refresh_from_db()
    assert (case.status, case.feedback_at) == (Status.ANSWERED, None)
