"""Reporting a case: the website's form, the "reported" page, the community screen, the staff entry form."""

import re
from io import BytesIO

import pytest
from django.core.cache import cache
from PIL import Image

from tests.feedback.conftest import file_case
from tests.helpers import page_text, sign_in
from tongxin.community.models import Person
from tongxin.core.models import AuditEvent
from tongxin.feedback.models import Case, CasePhoto, CategoryAttribute, Channel, Privacy, Status

pytestmark = pytest.mark.usefixtures("in_english")


@pytest.fixture(autouse=True)
def _empty_cache(db):
    cache.clear()
    yield
    cache.clear()


def report_data(town, **fields):
    data = {
        "kind": "problem",
        "category": town.category("sanitation").pk,
        "place": town.xiaozhai.pk,
        "address": "东门口",
        "description": "垃圾桶满了没人清理",
        "privacy": "hidden",
        "name": "王芳",
        "phone": "13800000000",
        "email": "wangfang@example.org",
        "pin": "",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def png() -> bytes:
    out = BytesIO()
    Image.new("RGB", (30, 20), "red").save(out, "PNG")
    return out.getvalue()


# -- The website's form ------------------------------------------------------------------------


def test_the_report_page_offers_places_by_town_and_categories(client, feedback_town, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get("/report/")
    assert response.status_code == 200
    text = page_text(response)
    assert "Report a problem, a request or a suggestion" in text
    assert "Xiaozhai Village · First Grid" in text
    assert "Datian Village" in text
    assert "Litter and rubbish" in text
    content = response.content.decode()
    assert '<optgroup label="Tongxin Town">' in content
    # Bodies are not places a problem happens in.
    assert "Sanitation Workgroup" not in text
    assert "Nobody learns who you are, not even the handlers." in text


def test_the_place_can_be_chosen_in_the_address(client, feedback_town):
    response = client.get(f"/report/?place={feedback_town.grid.pk}")
    assert f'<option value="{feedback_town.grid.pk}" selected>' in response.content.decode()


def test_a_visitor_reports_and_sees_the_tracking_code(client, feedback_town):
    response = client.post("/report/", report_data(feedback_town))
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/report/done/{case.code}/"
    assert (case.channel, case.privacy, case.reporter_name, case.reporter_phone, case.organisation) == (
        Channel.WEB, Privacy.HIDDEN, "王芳", "13800000000", feedback_town.xiaozhai
    )
    assert case.address == "东门口"
    page = client.get(response["Location"])
    text = page_text(page)
    assert case.code in text
    assert "Thank you. Your case is filed." in text
    assert f"http://testserver/track/{case.code}/" in text
    assert "Write down or photograph this code." in text
    assert "Answered by" in text


def test_the_reported_page_shows_the_code_only_to_who_filed_it(client, feedback_town):
    client.post("/report/", report_data(feedback_town))
    case = Case.objects.get()
    other = type(client)()
    assert other.get(f"/report/done/{case.code}/").status_code == 404


def test_an_anonymous_report_stores_nothing_personal(client, feedback_town):
    response = client.post(
        "/report/", report_data(feedback_town, privacy="anonymous", name="", phone="", email="", pin="4321")
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert (case.reporter_name, case.reporter_phone, case.reporter_email, case.reporter_id) == ("", "", "", None)
    assert case.has_pin
    assert "Write down or photograph this code and keep your PIN." in page_text(client.get(response["Location"]))


def test_an_anonymous_report_with_a_name_is_refused_with_a_clear_message(client, feedback_town):
    response = client.post("/report/", report_data(feedback_town, privacy="anonymous"))
    assert response.status_code == 200
    assert "An anonymous case keeps no name or contact: clear your name, phone and email" in page_text(response)
    assert Case.objects.count() == 0


def test_a_public_report_needs_a_name(client, feedback_town):
    response = client.post("/report/", report_data(feedback_town, privacy="public", name=""))
    assert "Your name: Give your name, or choose to stay anonymous." in page_text(response)
    assert Case.objects.count() == 0


def test_a_signed_in_resident_finds_their_name_filled_in_and_owns_the_case(client, feedback_town):
    resident = feedback_town.resident
    Person.objects.create(name="李明", user=resident)
    sign_in(client, resident)
    page = client.get("/report/").content.decode()
    assert 'value="李明"' in page
    assert 'value="resident@example.org"' in page
    client.post("/report/", report_data(feedback_town, name="李明", email="", phone=""))
    case = Case.objects.get()
    assert (case.reporter, case.reporter_name, case.reporter_email) == (resident, "李明", "resident@example.org")


def test_urgent_reports_get_the_emergency_tier(client, feedback_town):
    client.post("/report/", report_data(feedback_town, urgent="on"))
    assert Case.objects.get().tier == "emergency"


def test_photos_and_a_map_point_are_kept(client, feedback_town, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = report_data(feedback_town, latitude="28.858200", longitude="121.145600")
    data["photos"] = [BytesIO(png()), BytesIO(png())]
    data["photos"][0].name, data["photos"][1].name = "a.png", "b.png"
    response = client.post("/report/", data)
    assert response.status_code == 302
    case = Case.objects.get()
    assert (str(case.latitude), str(case.longitude)) == ("28.858200", "121.145600")
    assert CasePhoto.objects.filter(case=case).count() == 2


def test_a_file_that_is_not_a_photo_is_refused(client, feedback_town, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = BytesIO(b"not a picture")
    upload.name = "a.jpg"
    response = client.post("/report/", {**report_data(feedback_town), "photos": [upload]})
    assert "A file is not a photo." in page_text(response)
    assert Case.objects.count() == 0


def test_half_a_map_point_is_refused(client, feedback_town):
    response = client.post("/report/", report_data(feedback_town, latitude="28.8"))
    assert "Give both the latitude and the longitude of the map point, or neither." in page_text(response)
    assert Case.objects.count() == 0


def test_a_category_with_questions_asks_them_before_filing(client, feedback_town):
    water = feedback_town.category("water")
    CategoryAttribute.objects.create(
        category=water, code="floor", description="Which floor?", description_en="Which floor?", datatype="number",
        required=True,
    )
    data = report_data(feedback_town, category=water.pk)
    first = client.post("/report/", data)
    assert "This category has a few more questions: please answer them below." in page_text(first)
    assert "A few questions about “Water supply and drains” Which floor?" in page_text(first)
    assert Case.objects.count() == 0
    client.post("/report/", {**data, "questions_for": water.pk, "attribute_floor": "3"})
    assert Case.objects.get().attributes == {"floor": "3"}


def test_without_javascript_the_questions_are_shown_on_request(client, feedback_town):
    water = feedback_town.category("water")
    CategoryAttribute.objects.create(category=water, code="meter", description="Meter number", datatype="string")
    response = client.post("/report/", report_data(feedback_town, category=water.pk, show_questions="1"))
    text = page_text(response)
    assert "Meter number" in text
    assert "This field is required" not in text
    assert 'name="questions_for" value="%s"' % water.pk in response.content.decode()
    assert Case.objects.count() == 0


# -- Likely duplicates -------------------------------------------------------------------------


def test_likely_duplicates_partial_lists_public_fields_only(client, feedback_town):
    file_case(feedback_town, description="东门口垃圾桶满了没人清理", reporter_phone="13911112222")
    response = client.get(
        "/report/duplicates/",
        {"category": feedback_town.category("sanitation").pk, "place": feedback_town.xiaozhai.pk,
         "description": "东门垃圾桶满了"},
        headers={"HX-Request": "true"},
    )
    text = page_text(response)
    assert text.startswith("Already reported nearby? 东门口垃圾桶满了没人清理 Submitted · Xiaozhai Village ·")
    assert "王芳" not in text and "13911112222" not in text
    assert "<html" not in response.content.decode()


def test_likely_duplicates_without_javascript_is_a_page(client, feedback_town):
    response = client.get("/report/duplicates/")
    assert "Choose a category and a place and describe the problem to see similar reports." in page_text(response)


# -- The community screen ----------------------------------------------------------------------


def test_the_kiosk_has_no_navigation_and_defaults_to_anonymous(client, feedback_town):
    response = client.get(f"/kiosk/{feedback_town.xiaozhai.pk}/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "site-nav" not in content and "Sign in" not in page_text(response)
    assert re.search(r'<input type="radio" name="privacy" value="anonymous"[^>]* checked>', content)
    assert 'autocomplete="off"' in content
    assert 'type="file"' not in content
    assert f"/board/{feedback_town.xiaozhai.pk}/kiosk/" in content
    assert "Report a problem in Xiaozhai Village" in page_text(response)


def test_the_kiosk_only_serves_places(client, feedback_town):
    assert client.get(f"/kiosk/{feedback_town.sanitation.pk}/").status_code == 404
    assert client.get("/kiosk/999999/").status_code == 404


def test_the_kiosk_files_an_anonymous_case_and_shows_the_code_once(client, feedback_town):
    url = f"/kiosk/{feedback_town.xiaozhai.pk}/"
    response = client.post(url, {
        "kind": "problem", "category": feedback_town.category("sanitation").pk,
        "description": "广场路灯不亮", "privacy": "anonymous", "pin": "2468",
    })
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == url
    assert (case.channel, case.organisation, case.privacy, case.reporter_name, case.reporter_id) == (
        Channel.KIOSK, feedback_town.xiaozhai, Privacy.ANONYMOUS, "", None
    )
    shown = client.get(url)
    text = page_text(shown)
    assert case.code in text
    assert "Write it down or take a photo of it now, and keep your PIN." in text
    assert "Done" in text
    # After "Done" (or a reload) the next resident sees an empty form, not the code.
    again = client.get(url)
    assert case.code not in again.content.decode()
    assert "广场路灯不亮" not in again.content.decode()


def test_a_kiosk_case_never_carries_the_signed_in_account(client, feedback_town):
    sign_in(client, feedback_town.resident)
    client.post(f"/kiosk/{feedback_town.xiaozhai.pk}/", {
        "kind": "problem", "category": feedback_town.category("sanitation").pk,
        "description": "广场路灯不亮", "privacy": "hidden", "name": "张三",
    })
    case = Case.objects.get()
    assert (case.reporter_id, case.reporter_name, case.channel) == (None, "张三", Channel.KIOSK)


# -- The staff entry form ----------------------------------------------------------------------


def test_a_duty_officer_enters_a_case_for_a_resident(client, feedback_town):
    sign_in(client, feedback_town.duty_officer)
    page = client.get("/cases/new/")
    assert page.status_code == 200
    assert "Datian Village" not in page_text(page)  # not theirs
    response = client.post("/cases/new/", {**report_data(feedback_town), "channel": "hotline"})
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.code}/"
    assert (case.channel, case.entered_by, case.reporter_id, case.reporter_name) == (
        Channel.HOTLINE, feedback_town.duty_officer, None, "王芳"
    )
    messages = [str(message) for message in response.wsgi_request._messages]
    spelled = " ".join(case.code.replace("-", ""))
    assert messages == [f"Case {case.code} is filed. Read the tracking code to the resident: {spelled}."]


def test_staff_entry_offers_only_staff_channels(client, feedback_town):
    sign_in(client, feedback_town.duty_officer)
    response = client.post("/cases/new/", {**report_data(feedback_town), "channel": "web"})
    assert "Select a valid choice. web is not one of the available choices." in page_text(response)
    assert Case.objects.count() == 0


def test_staff_entry_is_refused_to_residents_and_asks_visitors_to_sign_in(client, feedback_town):
    audit_before = AuditEvent.objects.count()
    response = client.post("/cases/new/", {**report_data(feedback_town), "channel": "hotline"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    sign_in(client, feedback_town.resident)
    assert client.get("/cases/new/").status_code == 403
    response = client.post("/cases/new/", {**report_data(feedback_town), "channel": "hotline"})
    assert response.status_code == 403
    assert Case.objects.count() == 0
    assert AuditEvent.objects.count() == audit_before


def test_staff_entry_refuses_a_place_outside_the_officers_reach(client, feedback_town):
    sign_in(client, feedback_town.duty_officer)
    response = client.post(
        "/cases/new/", {**report_data(feedback_town, place=feedback_town.datian.pk), "channel": "hotline"}
    )
    assert response.status_code == 200
    assert "Select a valid choice." in page_text(response)
    assert Case.objects.count() == 0


def test_a_new_case_starts_submitted(client, feedback_town):
    client.post("/report/", report_data(feedback_town))
    assert Case.objects.get().status == Status.SUBMITTED


def test_the_report_page_for_a_signed_in_resident_stays_cheap(client, feedback_town, django_assert_max_num_queries):
    sign_in(client, feedback_town.resident)
    with django_assert_max_num_queries(9):
        assert client.get("/report/").status_code == 200
