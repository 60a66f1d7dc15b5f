"""Submitting a case from each channel: who is linked, what is kept, what is refused."""

from io import BytesIO

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied
from PIL import ExifTags, Image

from tests.feedback.conftest import file_case
from tongxin.core.errors import ActionError
from tongxin.core.models import AuditEvent
from tongxin.feedback.actions import submit_case
from tongxin.feedback.models import Case, CasePhoto, CaseStep, Category, CategoryAttribute, Channel, Privacy, Status


def jpeg_with_location() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif[ExifTags.IFD.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (39.0, 54.0, 27.0)}
    output = BytesIO()
    Image.new("RGB", (30, 20), (200, 0, 0)).save(output, "JPEG", exif=exif)
    return output.getvalue()


def nothing_created() -> tuple[int, int, int]:
    return Case.objects.count(), CaseStep.objects.count(), AuditEvent.objects.filter(verb__startswith="case.").count()


def test_an_anonymous_web_case_keeps_no_one(feedback_town):
    case = file_case(feedback_town, privacy=Privacy.ANONYMOUS, actor=feedback_town.resident, pin="2468")
    assert (case.reporter, case.reporter_name, case.reporter_email, case.reporter_phone) == (None, "", "", "")
    assert case.entered_by is None
    assert case.has_pin and case.check_pin("2468") and not case.check_pin("1357")
    step = case.steps.get()
    assert (step.kind, step.actor, step.actor_label, step.actor_display) == ("submitted", None, "system:reporter", "Reporter")
    event = AuditEvent.objects.get(verb="case.submitted")
    assert (event.actor_id, event.actor_label) == (None, "system:reporter")
    assert mail.outbox == [] or all(feedback_town.resident.email not in message.to for message in mail.outbox)


def test_a_signed_in_resident_filing_publicly_is_linked_to_the_case(feedback_town):
    feedback_town.resident.first_name = "Fang"
    feedback_town.resident.save()
    case = submit_case(
        actor=feedback_town.resident,
        channel=Channel.WEB,
        category=feedback_town.category("roads"),
        description="村口的桥栏杆断了",
        organisation=feedback_town.xiaozhai,
        privacy=Privacy.PUBLIC,
    )
    assert (case.reporter, case.reporter_email, case.reporter_name) == (
        feedback_town.resident,
        "resident@example.org",
        "Fang",
    )
    assert case.public_reporter_name == "Fang"
    step = case.steps.get()
    # The reporter's own step reads "Reporter" wherever the ledger is shown; the audit log keeps the account.
    assert (step.actor, step.actor_label) == (feedback_town.resident, "system:reporter")
    assert AuditEvent.objects.get(verb="case.submitted").actor_id == feedback_town.resident.pk


def test_a_hidden_name_is_kept_for_staff_and_never_public(feedback_town):
    case = file_case(feedback_town, privacy=Privacy.HIDDEN, actor=feedback_town.resident, reporter_name="李强")
    assert (case.reporter, case.reporter_name, case.public_reporter_name) == (feedback_town.resident, "李强", "")
    assert case.steps.get().actor_label == "system:reporter"


def test_a_visitor_filing_with_a_name_is_recorded_as_the_reporter(feedback_town):
    case = file_case(feedback_town, reporter_phone="13800000000")
    assert (case.reporter, case.reporter_name, case.reporter_phone, case.channel) == (None, "王芳", "13800000000", "web")
    assert case.steps.get().actor_label == "system:reporter"
    assert AuditEvent.objects.get(verb="case.submitted").actor_label == "system:reporter"


@pytest.mark.parametrize("channel", [Channel.RECEPTION, Channel.HOTLINE, Channel.DUTY])
def test_staff_enter_a_case_for_a_resident(feedback_town, channel):
    case = file_case(feedback_town, channel=channel, actor=feedback_town.duty_officer, reporter_phone="13911112222")
    assert (case.channel, case.entered_by, case.reporter, case.reporter_name) == (
        channel,
        feedback_town.duty_officer,
        None,
        "王芳",
    )
    step = case.steps.get()
    assert (step.actor, step.actor_label) == (feedback_town.duty_officer, "duty_officer")


@pytest.mark.parametrize("channel", [Channel.RECEPTION, Channel.HOTLINE, Channel.DUTY])
@pytest.mark.parametrize("who", ["resident", "datian_handler", "anonymous"])
def test_only_staff_of_the_place_may_enter_a_case_for_a_resident(feedback_town, channel, who):
    actor = AnonymousUser() if who == "anonymous" else getattr(feedback_town, who)
    with pytest.raises(PermissionDenied):
        file_case(feedback_town, channel=channel, actor=actor)
    assert nothing_created() == (0, 0, 0)


@pytest.mark.parametrize("who", ["office_handler", "handler"])
def test_staff_of_a_body_in_the_village_take_cases_for_the_whole_village(feedback_town, who):
    case = file_case(feedback_town, channel=Channel.RECEPTION, actor=getattr(feedback_town, who), place=feedback_town.grid)
    assert (case.entered_by, case.organisation) == (getattr(feedback_town, who), feedback_town.grid)


def test_staff_may_enter_an_anonymous_case_and_are_recorded_themselves(feedback_town):
    case = file_case(feedback_town, channel=Channel.HOTLINE, actor=feedback_town.duty_officer, privacy=Privacy.ANONYMOUS)
    assert (case.reporter, case.reporter_name, case.entered_by) == (None, "", feedback_town.duty_officer)
    assert case.steps.get().actor == feedback_town.duty_officer


def test_an_open311_application_does_not_become_the_reporter(feedback_town):
    app = feedback_town.resident
    case = file_case(feedback_town, channel=Channel.OPEN311, actor=app, reporter_email="li@example.org")
    assert (case.reporter, case.reporter_email, case.entered_by) == (None, "li@example.org", None)
    assert case.steps.get().actor == app


def test_the_kiosk_links_no_account(feedback_town):
    case = file_case(feedback_town, channel=Channel.KIOSK, privacy=Privacy.ANONYMOUS)
    assert (case.channel, case.reporter, case.status) == ("kiosk", None, Status.SUBMITTED)


def test_an_urgent_case_becomes_an_emergency(feedback_town):
    case = file_case(feedback_town, category="roads", urgent=True)
    assert case.tier == "emergency"
    assert case.dispatch_due - case.submitted_at == __import__("datetime").timedelta(hours=1)


def test_the_category_answers_and_map_point_are_kept(feedback_town):
    category = feedback_town.category("water")
    CategoryAttribute.objects.create(
        category=category, code="floor", description="几楼", datatype="number", required=True
    )
    CategoryAttribute.objects.create(
        category=category,
        code="kind",
        description="什么问题",
        datatype="singlevaluelist",
        values=[{"key": "leak", "name": "漏水"}, {"key": "none", "name": "停水"}],
    )
    case = file_case(
        feedback_town,
        category="water",
        attributes={"floor": " 3 ", "kind": "leak", "unasked": "x"},
        latitude="28.8456781",
        longitude=121.1,
        address=" 小寨村12号 ",
    )
    case.refresh_from_db()
    assert case.attributes == {"floor": "3", "kind": "leak"}
    assert (str(case.latitude), str(case.longitude), case.address) == ("28.845678", "121.100000", "小寨村12号")


REFUSALS = [
    ({"description": "   "}, "Describe the problem, request or suggestion."),
    ({"description": "长" * 5001}, "The description is longer than 5000 characters."),
    ({"privacy": "secret"}, "Choose who may see your name."),
    ({"kind": "complaint"}, "Choose whether this is a problem, a request or a suggestion."),
    ({"channel": "fax"}, "Unknown channel."),
    ({"reporter_name": ""}, "Give your name, or choose to stay anonymous."),
    (
        {"privacy": Privacy.ANONYMOUS, "reporter_phone": "13800000000"},
        "An anonymous case keeps no name or contact: leave them empty, or choose to hide your name instead.",
    ),
    ({"reporter_email": "not-an-address"}, "Enter a valid email address."),
    ({"reporter_name": "王" * 101}, "A name, phone number or address is too long."),
    ({"address": "路" * 301}, "A name, phone number or address is too long."),
    ({"latitude": "north"}, "A map point must be given as numbers."),
    ({"latitude": "91"}, "The map point is outside the map."),
    ({"longitude": "-180.5"}, "The map point is outside the map."),
    ({"pin": "12"}, "A PIN is 4 to 8 digits."),
    ({"pin": "12ab"}, "A PIN is 4 to 8 digits."),
    ({"photos": [b"not a picture"]}, "A file is not a photo."),
    ({"photos": [jpeg_with_location()] * 5}, "At most 4 photos at a time."),
]


@pytest.mark.parametrize(("change", "message"), REFUSALS)
def test_what_a_reporter_can_fix_is_refused_with_a_message_and_nothing_is_kept(feedback_town, change, message):
    fields = {
        "actor": AnonymousUser(),
        "channel": Channel.WEB,
        "category": feedback_town.category("roads"),
        "description": "路面塌陷",
        "organisation": feedback_town.xiaozhai,
        "privacy": Privacy.PUBLIC,
        "reporter_name": "王芳",
    } | change
    with pytest.raises(ActionError) as refusal:
        submit_case(**fields)
    assert str(refusal.value.message) == message
    assert nothing_created() == (0, 0, 0)


def test_an_inactive_category_and_a_non_place_are_refused(feedback_town):
    Category.objects.filter(code="roads").update(active=False)
    with pytest.raises(ActionError, match="This category no longer takes new cases."):
        file_case(feedback_town, category="roads")
    with pytest.raises(ActionError, match="Choose the village, community or grid where it happened."):
        file_case(feedback_town, place=feedback_town.sanitation)
    assert nothing_created() == (0, 0, 0)


def test_a_required_question_must_be_answered(feedback_town):
    CategoryAttribute.objects.create(
        category=feedback_town.category("water"), code="floor", description="Which floor", datatype="number", required=True
    )
    with pytest.raises(ActionError, match="Answer the question: Which floor"):
        file_case(feedback_town, category="water", attributes={"floor": " "})
    with pytest.raises(ActionError, match="Give a number for: Which floor"):
        file_case(feedback_town, category="water", attributes={"floor": "third"})
    assert nothing_created() == (0, 0, 0)


def test_photos_are_stored_re_encoded_without_location(feedback_town, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = file_case(feedback_town, photos=[jpeg_with_location()])
    photo = CasePhoto.objects.get(case=case)
    assert (photo.step, photo.content_type, photo.width, photo.height) == (case.steps.get(), "image/jpeg", 30, 20)
    with photo.image.open("rb") as stored:
        data = stored.read()
    assert photo.byte_size == len(data)
    picture = Image.open(BytesIO(data))
    assert dict(picture.getexif()) == {}
    assert b"PhoneCo" not in data
    assert not photo.image.name.endswith("photo.jpg")
