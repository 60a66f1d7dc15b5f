"""Cases over the API: anyone reports, the code holder follows the public view, the case's staff
read the full case, list their cases and take every step of the work through the actions."""

import base64
import datetime
from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image

from tests.api.conftest import FORBIDDEN, UNAUTHORISED, Caller, iso, token_for
from tongxin.feedback.actions import answer_case, record_progress, take_case
from tongxin.feedback.models import Case, CaseStep, Category, CategoryAttribute, Privacy, Status

from .conftest import FeedbackTown, file_case

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases"
NOT_BASE64 = "Photo 1 is not base64: send each photo's bytes base64-encoded."
WRONG_PIN = {"detail": "The PIN does not match this case."}


def png(colour: str = "red") -> str:
    buffer = BytesIO()
    Image.new("RGB", (8, 6), colour).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def report(**fields: Any) -> dict[str, Any]:
    """A report's body: a litter problem in Xiaozhai, anonymous unless said otherwise."""
    return {
        "category": "sanitation",
        "description": "垃圾桶满了没人清理",
        "privacy": "anonymous",
        **fields,
    }


def post(client: Client, path: str, body: dict[str, Any], caller: Caller | None = None):
    headers = caller.headers if caller else {}
    return client.post(path, body, content_type="application/json", headers=headers)


def get(client: Client, path: str, caller: Caller | None = None, **params: Any):
    return client.get(path, params, headers=caller.headers if caller else {})


def place(town: FeedbackTown, organisation: Any) -> dict[str, Any]:
    return {"id": organisation.pk, "display_name": organisation.display_name}


def public_json(case: Case, **changes: Any) -> dict[str, Any]:
    """The case as the tracking page shows it."""
    case.refresh_from_db()
    return {
        "view": "public",
        "code": case.code,
        "kind": case.kind,
        "category": case.category.code,
        "category_name": case.category.display_name,
        "tier": case.tier,
        "status": case.status,
        "description": case.description,
        "organisation": {
            "id": case.organisation_id,
            "display_name": case.organisation.display_name,
        },
        "address": case.address,
        "latitude": None,
        "longitude": None,
        "privacy": case.privacy,
        "public_reporter_name": case.public_reporter_name,
        "reporter": None,
        "has_pin": case.has_pin,
        "submitted_at": iso(case.submitted_at),
        "acknowledge_due": iso(case.acknowledge_due),
        "dispatch_due": iso(case.dispatch_due),
        "answer_due": iso(case.answer_due),
        "overdue": False,
        "acknowledged_at": None,
        "answered_at": None,
        "closed_at": None,
        "answer": "",
        "awaits_feedback": False,
        "solved": None,
        "satisfied": None,
        "merged_into": None,
        "photos": [],
        **changes,
    }


def full_json(case: Case, **changes: Any) -> dict[str, Any]:
    """The whole case as its staff read it."""
    case.refresh_from_db()
    assigned = case.assigned_to
    return public_json(case) | {
        "view": "full",
        "channel": case.channel,
        "attributes": case.attributes,
        "assigned_to": {"id": assigned.pk, "display_name": assigned.display_name},
        "handler": None,
        "escalated_to": None,
        "escalation_level": 0,
        "published": True,
        "assigned_at": None,
        "feedback_at": None,
        "updated_at": iso(case.updated_at),
        **changes,
    }


@pytest.fixture
def callers(feedback_town: FeedbackTown) -> dict[str, Caller]:
    names = ["handler", "office_handler", "datian_handler", "duty_officer", "admin", "resident"]
    return {name: token_for(getattr(feedback_town, name)) for name in names}


@pytest.fixture
def hidden_case(feedback_town: FeedbackTown) -> Case:
    """王芳's litter report in Xiaozhai, her name hidden from the public."""
    return file_case(
        feedback_town,
        privacy=Privacy.HIDDEN,
        reporter_phone="13900000009",
        reporter_email="wangfang@example.org",
        address="村口小卖部旁",
    )


# ---- categories ----------------------------------------------------------------------------


def test_anyone_reads_the_categories_with_their_questions(
    client: Client, feedback_town: FeedbackTown
) -> None:
    sanitation = feedback_town.category("sanitation")
    CategoryAttribute.objects.create(
        category=sanitation,
        code="bin_colour",
        description="垃圾桶颜色",
        description_en="Colour of the bin",
        datatype="singlevaluelist",
        required=True,
        values=[{"key": "green", "name": "绿色", "name_en": "Green"}, {"key": "grey", "name": "灰色"}],
    )
    Category.objects.filter(code="gas").update(active=False)

    response = client.get("/api/v1/categories")

    assert response.status_code == 200
    categories = {item["code"]: item for item in response.json()}
    assert "gas" not in categories
    assert len(categories) == 18
    assert categories["sanitation"] == {
        "code": "sanitation",
        "name": "Litter and rubbish",
        "group": "环境",
        "tier": "general",
        "notice": "",
        "attributes": [
            {
                "code": "bin_colour",
                "datatype": "singlevaluelist",
                "required": True,
                "description": "Colour of the bin",
                "values": [{"key": "green", "name": "Green"}, {"key": "grey", "name": "灰色"}],
            }
        ],
    }


# ---- reporting -----------------------------------------------------------------------------


def test_an_anonymous_visitor_reports_and_gets_the_public_view_with_the_code(
    client: Client, feedback_town: FeedbackTown
) -> None:
    response = post(client, CASES, report(organisation=feedback_town.xiaozhai.pk, pin="4321"))

    assert response.status_code == 201
    case = Case.objects.get()
    assert response.json() == public_json(case, privacy="anonymous", has_pin=True)
    assert response.json()["code"] == case.code
    assert (case.channel, case.reporter, case.reporter_name) == ("api", None, "")


def test_a_token_holder_reports_as_themselves_and_reads_their_whole_case(
    client: Client, feedback_town: FeedbackTown, callers: dict[str, Caller]
) -> None:
    body = report(
        organisation=feedback_town.xiaozhai.pk,
        privacy="hidden",
        reporter_phone="13900000009",
        latitude=28.123456,
        longitude=121.5,
        urgent=True,
    )

    response = post(client, CASES, body, callers["resident"])

    assert response.status_code == 201
    case = Case.objects.get()
    assert case.reporter == feedback_town.resident
    assert response.json() == full_json(
        case,
        privacy="hidden",
        tier="emergency",
        latitude=28.123456,
        longitude=121.5,
        reporter={"name": "resident", "phone": "13900000009", "email": "resident@example.org"},
    )


def test_photos_are_sent_base64_encoded(client: Client, feedback_town: FeedbackTown) -> None:
    photos = [png(), "data:image/png;base64," + png("blue")]
    body = report(organisation=feedback_town.xiaozhai.pk, photos=photos)

    response = post(client, CASES, body)

    assert response.status_code == 201
    case = Case.objects.get()
    photos = list(case.photos.order_by("pk"))
    assert response.json()["photos"] == [
        f"http://testserver/cases/{case.code}/photos/{photo.pk}/" for photo in photos
    ]
    assert [(photo.width, photo.height, photo.content_type) for photo in photos] == [
        (8, 6, "image/png"),
        (8, 6, "image/png"),
    ]


@pytest.mark.parametrize(
    ("photos", "detail"),
    [
        (["not base64!"], NOT_BASE64),
        ([png(), "QUJD"], "A file is not a photo."),
        ([png()] * 5, "At most 4 photos at a time."),
    ],
)
def test_a_report_with_bad_photos_is_refused_and_nothing_is_stored(
    client: Client, feedback_town: FeedbackTown, photos: list[str], detail: str
) -> None:
    response = post(client, CASES, report(organisation=feedback_town.xiaozhai.pk, photos=photos))

    assert response.status_code == 400
    assert response.json() == {"detail": detail}
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "detail"),
    [
        ({"category": "unicorns"}, "category: there is no category unicorns."),
        ({"organisation": 0}, "organisation: there is no organisation 0."),
        ({"privacy": "public"}, "Give your name, or choose to stay anonymous."),
        (
            {"reporter_name": "王芳"},
            "An anonymous case keeps no name or contact: leave them empty, "
            "or choose to hide your name instead.",
        ),
        ({"pin": "12"}, "A PIN is 4 to 8 digits."),
    ],
)
def test_a_report_a_person_can_fix_is_answered_with_the_reason(
    client: Client, feedback_town: FeedbackTown, fields: dict[str, Any], detail: str
) -> None:
    body = report(organisation=feedback_town.xiaozhai.pk) | fields

    response = post(client, CASES, body)

    assert response.status_code == 400
    assert response.json() == {"detail": detail}
    assert Case.objects.count() == 0


def test_a_report_with_an_unknown_field_is_a_validation_error(
    client: Client, feedback_town: FeedbackTown
) -> None:
    response = post(client, CASES, report(organisation=feedback_town.xiaozhai.pk, colour="red"))

    assert response.status_code == 422
    assert Case.objects.count() == 0


# ---- reading one case ----------------------------------------------------------------------


def test_the_cases_handler_reads_the_hidden_reporter(
    client: Client, feedback_town: FeedbackTown, callers: dict[str, Caller], hidden_case: Case
) -> None:
    response = get(client, f"{CASES}/{hidden_case.code}", callers["handler"])

    assert response.status_code == 200
    assert response.json() == full_json(
        hidden_case,
        address="村口小卖部旁",
        reporter={"name": "王芳", "phone": "13900000009", "email": "wangfang@example.org"},
    )


def test_another_villages_handler_gets_only_the_public_view_and_no_reporter(
    client: Client, feedback_town: FeedbackTown, callers: dict[str, Caller], hidden_case: Case
) -> None:
    outsider = callers["datian_handler"]

    response = get(client, f"{CASES}/{hidden_case.code}", outsider)

    assert response.status_code == 200
    assert response.json() == public_json(hidden_case, address="村口小卖部旁")
    assert "王芳" not in response.content.decode()
    assert get(client, CASES, outsider).json() == {"items": [], "count": 0}
    steps = CaseStep.objects.count()
    response = post(client, f"{CASES}/{hidden_case.code}/steps", {"action": "take"}, outsider)
    assert response.status_code == 404
    assert CaseStep.objects.count() == steps


def test_a_public_case_shows_the_reporters_name_but_never_the_contact(
    client: Client, feedback_town: FeedbackTown
) -> None:
    case = file_case(feedback_town, reporter_phone="13900000009")

    response = client.get(f"{CASES}/{case.code.lower().replace('-', '')}")

    assert response.status_code == 200
    assert response.json() == public_json(case, public_reporter_name="王芳")


def test_a_case_with_a_pin_opens_only_with_it(client: Client, feedback_town: FeedbackTown) -> None:
    case = file_case(feedback_town, privacy=Privacy.ANONYMOUS, pin="2468")

    assert client.get(f"{CASES}/{case.code}").json() == WRONG_PIN
    assert client.get(f"{CASES}/{case.code}", {"pin": "1111"}).status_code == 403
    response = client.get(f"{CASES}/{case.code}", {"pin": "2468"})
    assert response.status_code == 200
    assert response.json() == public_json(case, privacy="anonymous", has_pin=True)


def test_an_unknown_code_is_404(client: Client, feedback_town: FeedbackTown) -> None:
    response = client.get(f"{CASES}/ZZZZ-ZZZZ")

    assert response.status_code == 404
    assert response.json() == {"detail": "No case has this tracking code."}


def test_the_ledger_shows_staff_everything_and_the_code_holder_the_public_steps(
    client: Client, feedback_town: FeedbackTown, callers: dict[str, Caller]
) -> None:
    resident = feedback_town.resident
    case = file_case(feedback_town, privacy=Privacy.HIDDEN, actor=resident)
    take_case(case=case, actor=feedback_town.handler)
    record_progress(case=case, actor=feedback_town.handler, text="联系了保洁员", public=False)
    record_progress(case=case, actor=feedback_town.handler, text="已清运")
    steps = list(case.steps.order_by("created_at", "pk"))

    def step_json(step: CaseStep, actor: str) -> dict[str, Any]:
        return {
            "kind": step.kind,
            "status": step.status,
            "text": step.text,
            "public": step.public,
            "actor": actor,
            "created_at": iso(step.created_at),
            "photos": [],
        }

    staff_view = get(client, f"{CASES}/{case.code}/steps", callers["handler"]).json()
    public_view = get(client, f"{CASES}/{case.code}/steps").json()

    # The reporter's own account signed the first step; the ledger names them by role only.
    assert staff_view == [
        step_json(steps[0], "Reporter"),
        step_json(steps[1], "handler"),
        step_json(steps[2], "handler"),
        step_json(steps[3], "handler"),
    ]
    assert [step["kind"] for step in staff_view] == ["submitted", "taken", "note", "progress"]
    # A code holder reads the staff's steps signed by the workgroup, not by a person's account.
    assert public_view == [
        staff_view[0],
        step_json(steps[1], "Sanitation Workgroup"),
        step_json(steps[3], "Sanitation Workgroup"),
    ]


# ---- the list ------------------------------------------------------------------------------


def test_listing_cases_needs_a_sign_in(client: Client, feedback_town: FeedbackTown) -> None:
    response = client.get(CASES)

    assert response.status_code == 401
    assert response.json() == UNAUTHORISED


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["items"]]


def test_the_list_filters_and_pages_newest_first(
    client: Client, feedback_town: FeedbackTown, callers: dict[str, Caller]
) -> None:
    town = feedback_town
    now = timezone.now()
    litter = file_case(town, description="垃圾堆在路边")
    lamp = file_case(town, category="street_lights", description="路灯坏了", place=town.grid)
    water = file_case(town, category="water", description="停水三天")
    datian = file_case(town, category="roads", description="路面塌陷", place=town.datian)
    answer_case(case=litter, actor=town.handler, text="已清理")
    take_case(case=lamp, actor=town.office_handler)
    for minutes, case in enumerate([litter, lamp, water, datian]):
        submitted_at = now - datetime.timedelta(minutes=10 - minutes)
        Case.objects.filter(pk=case.pk).update(submitted_at=submitted_at)
    admin = callers["admin"]

    def listed(**params: Any) -> list[str]:
        return codes(get(client, CASES, admin, **params))

    assert listed() == [datian.code, water.code, lamp.code, litter.code]
    assert listed(status="open") == [datian.code, water.code, lamp.code]
    assert listed(status="answered,assigned") == [lamp.code, litter.code]
    assert codes(client.get(f"{CASES}?status=answered&status=assigned", headers=admin.headers)) == [
        lamp.code,
        litter.code,
    ]
    assert listed(category="water") == [water.code]
    assert listed(organisation=town.xiaozhai.pk) == [water.code, lamp.code, litter.code]
    assert listed(organisation=town.grid.pk) == [lamp.code]
    assert listed(assigned_to=town.sanitation.pk) == [litter.code]
    assert listed(tier="utilities") == [water.code]
    eight_minutes_ago = iso(now - datetime.timedelta(minutes=8))
    assert listed(submitted_after=eight_minutes_ago) == [datian.code, water.code]
    assert listed(submitted_before=eight_minutes_ago) == [lamp.code, litter.code]
    assert listed(q="路灯") == [lamp.code]
    assert listed(q=water.code.lower()) == [water.code]
    assert codes(get(client, CASES, callers["office_handler"], handler="me")) == [lamp.code]
    assert codes(get(client, CASES, callers["handler"])) == [litter.code]
    page = get(client, CASES, admin, limit=2, offset=1).json()
    assert ([item["code"] for item in page["items"]], page["count"]) == ([water.code, lamp.code], 4)
    assert page["items"][1]["handler"] == {
        "id": town.office_handler.pk,
        "display_name": "office_handler",
    }

    later = timezone.now()
    record_progress(case=water, actor=town.office_handler, text="已派人检修")
    assert listed(updated_after=iso(later)) == [water.code]


def test_an_unknown_status_is_refused(
    client: Client, feedback_town: FeedbackTown, callers: dict[str, Caller]
) -> None:
    response = get(client, CASES, callers["admin"], status="open,lost")

    assert response.status_code == 400
    assert response.json() == {"detail": "Unknown statuses: lost"}


def test_the_list_costs_the_same_queries_for_many_cases(
    client: Client,
    feedback_town: FeedbackTown,
    callers: dict[str, Caller],
    django_assert_max_num_queries,
) -> None:
    town = feedback_town
    for number in range(12):
        case = file_case(
            town,
            description=f"第{number}个问题",
            privacy=Privacy.HIDDEN,
            photos=[base64.b64decode(png())],
        )
        take_case(case=case, actor=town.handler)

    with django_assert_max_num_queries(7):
        response = get(client, CASES, callers["admin"], limit=50)

    assert response.json()["count"] == 12
    assert all(item["reporter"]["name"] == "王芳" for item in response.json()["items"])
    assert all(len(item["photos"]) == 1 for item in response.json()["items"])


# ---- steps ---------------------------------------------------------------------------------


def step(client: Client, case: Case, caller: Caller, **body: Any):
    return post(client, f"{CASES}/{case.code}/steps", body, caller)


def test_every_step_of_the_work_through_the_api(
    client: Client, feedback_town: FeedbackTown, callers: dict[str, Caller]
) -> None:
    town = feedback_town
    case = file_case(town)
    handler, office = callers["handler"], callers["office_handler"]

    def status_after(caller: Caller, **body: Any) -> str:
        response = step(client, case, caller, **body)
        assert response.status_code == 201, response.content
        return response.json()["status"]

    assert status_after(handler, action="acknowledge", text="收到") == "acknowledged"
    assert status_after(handler, action="take") == "assigned"
    # Moved to the village committee: nobody holds it there yet.
    committee = town.xiaozhai_office.pk
    assert status_after(handler, action="assign", workgroup=committee) == "acknowledged"
    assert status_after(office, action="assign", handler=town.office_handler.pk) == "assigned"
    assert status_after(office, action="note", text="内部记录") == "assigned"
    response = step(client, case, office, action="progress", text="已到现场", photos=[png()])
    assert response.status_code == 201
    photo = case.photos.get()
    assert response.json() == {
        "kind": "progress",
        "status": "in_progress",
        "text": "已到现场",
        "public": True,
        "actor": "office_handler",
        "created_at": iso(CaseStep.objects.latest("pk").created_at),
        "photos": [f"http://testserver/cases/{case.code}/photos/{photo.pk}/"],
    }
    assert status_after(office, action="unpublish", text="描述中有住址") == "in_progress"
    assert Case.objects.get(pk=case.pk).published is False
    assert status_after(office, action="publish") == "in_progress"
    assert status_after(office, action="answer", text="已清理完毕") == "answered"
    assert status_after(office, action="reopen", text="居民来电说又满了") == "reopened"
    assert status_after(office, action="answer", text="再次清理") == "answered"
    assert status_after(office, action="close", text="电话确认") == "closed"

    duplicate, original = file_case(town), file_case(town)
    response = step(client, duplicate, handler, action="merge", into=original.code, text="重复")
    assert (response.status_code, response.json()["status"]) == (201, "merged")
    lamp = file_case(town, category="street_lights")
    response = step(client, lamp, office, action="refer", text="需要镇里协调")
    assert (response.status_code, response.json()["status"]) == (201, "referred")
    assert Case.objects.get(pk=lamp.pk).assigned_to == town.town_government
    noise = file_case(town, category="noise")
    response = step(client, noise, office, action="decline", text="不属于本村职责")
    assert (response.status_code, response.json()["status"]) == (201, "declined")
    kinds = "submitted acknowledged taken assigned assigned note progress note note answered"
    ledger = list(case.steps.values_list("kind", flat=True))
    assert ledger == [*kinds.split(), "reopened", "answered", "closed"]


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"action": "acknowledge"}, "This case has been acknowledged already."),
        ({"action": "close"}, "Only an answered case can be closed; answer it first."),
        ({"action": "answer"}, "Write the answer to the reporter."),
        ({"action": "refer"}, "Say why the case goes up."),
        ({"action": "assign"}, "Choose a workgroup or a handler."),
        ({"action": "assign", "workgroup": 0}, "workgroup: there is no organisation 0."),
        ({"action": "assign", "handler": 0}, "handler: there is no account 0."),
        ({"action": "merge", "into": "ZZZZ-ZZZZ"}, "into: there is no case ZZZZ-ZZZZ."),
        ({"action": "take", "into": "ZZZZ-ZZZZ"}, "into: not used when the action is take."),
        ({"action": "progress", "photos": ["%%%"]}, NOT_BASE64),
        ({"action": "publish"}, "The case is on the public board already."),
    ],
)
def test_a_step_that_cannot_be_taken_is_400_and_changes_nothing(
    client: Client,
    feedback_town: FeedbackTown,
    callers: dict[str, Caller],
    body: dict[str, Any],
    detail: str,
) -> None:
    case = file_case(feedback_town)
    step(client, case, callers["handler"], action="acknowledge")
    before = (CaseStep.objects.count(), Case.objects.get(pk=case.pk).status)

    response = step(client, case, callers["handler"], **body)

    assert response.status_code == 400
    assert response.json() == {"detail": detail}
    assert (CaseStep.objects.count(), Case.objects.get(pk=case.pk).status) == before


@pytest.mark.parametrize("who", ["resident", "duty_officer"])
def test_who_may_read_but_not_work_on_a_case_gets_403_and_nothing_changes(
    client: Client, feedback_town: FeedbackTown, callers: dict[str, Caller], who: str
) -> None:
    # The reporter's own account and the duty officer (a non-urgent case) may open the case.
    case = file_case(feedback_town, actor=feedback_town.resident)
    steps = CaseStep.objects.count()

    for action in ["acknowledge", "take", "answer", "decline", "unpublish"]:
        # `handler` is not used by "take": the 403 comes before the body is looked at.
        handler = 0 if action == "take" else None
        response = step(client, case, callers[who], action=action, text="试试", handler=handler)
        assert response.status_code == 403
        assert response.json() == FORBIDDEN

    assert CaseStep.objects.count() == steps
    assert Case.objects.get(pk=case.pk).status == Status.SUBMITTED


def test_taking_a_step_needs_a_sign_in(client: Client, feedback_town: FeedbackTown) -> None:
    case = file_case(feedback_town)

    response = post(client, f"{CASES}/{case.code}/steps", {"action": "take"})

    assert response.status_code == 401
    assert response.json() == UNAUTHORISED
    assert CaseStep.objects.count() == 1


# ---- the reporter's verdict ----------------------------------------------------------------


def answered(town: FeedbackTown, **fields: Any) -> Case:
    case = file_case(town, **fields)
    answer_case(case=case, actor=town.handler, text="已清理")
    return case


def test_the_code_holder_gives_the_verdict_with_the_pin(
    client: Client, feedback_town: FeedbackTown
) -> None:
    case = answered(feedback_town, privacy=Privacy.ANONYMOUS, pin="2468")

    verdict = {"solved": True, "satisfied": True, "comment": "谢谢", "pin": "2468"}

    response = post(client, f"{CASES}/{case.code}/feedback", verdict)

    assert response.status_code == 201
    feedback = case.steps.get(kind="feedback")
    assert response.json() == {
        "kind": "feedback",
        "status": "closed",
        "text": "谢谢",
        "public": True,
        "actor": "Reporter",
        "created_at": iso(feedback.created_at),
        "photos": [],
    }
    case.refresh_from_db()
    assert (case.status, case.solved, case.satisfied) == (Status.CLOSED, True, True)


def test_a_wrong_pin_cannot_give_the_verdict(client: Client, feedback_town: FeedbackTown) -> None:
    case = answered(feedback_town, privacy=Privacy.ANONYMOUS, pin="2468")
    steps = CaseStep.objects.count()

    verdict = {"solved": False, "satisfied": False, "pin": "1357"}

    response = post(client, f"{CASES}/{case.code}/feedback", verdict)

    assert response.status_code == 403
    assert response.json() == WRONG_PIN
    assert CaseStep.objects.count() == steps
    assert Case.objects.get(pk=case.pk).status == Status.ANSWERED


def test_not_solved_reopens_and_a_second_verdict_is_refused(
    client: Client, feedback_town: FeedbackTown
) -> None:
    case = answered(feedback_town)
    verdict = {"solved": False, "satisfied": False, "comment": "还是满的"}

    first = post(client, f"{CASES}/{case.code}/feedback", verdict)
    second = post(client, f"{CASES}/{case.code}/feedback", verdict)

    assert (first.status_code, first.json()["status"]) == (201, "reopened")
    assert Case.objects.get(pk=case.pk).status == Status.REOPENED
    assert (second.status_code, second.json()) == (
        400,
        {"detail": "This case has no answer waiting for your verdict."},
    )
