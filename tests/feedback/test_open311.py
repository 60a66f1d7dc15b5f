"""Open311 GeoReport v2 as a client uses it: discover, list services, post a request, read it back."""

from __future__ import annotations

import datetime
import json
import re
import xml.etree.ElementTree as ET
from io import BytesIO
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image

from tests.feedback.conftest import file_case
from tongxin.accounts.actions import issue_api_token
from tongxin.core.models import AuditEvent
from tongxin.feedback.actions import acknowledge_case, answer_case, decline_case, record_progress, set_published
from tongxin.feedback.models import Case, CaseStep, CategoryAttribute, Privacy, Status

URL = "/open311/v2/"
W3C = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$"
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
XML_TYPE = "text/xml; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def town(feedback_town):
    bins = feedback_town.category("sanitation")
    bins.notice = "Bins are emptied within two days."
    bins.keywords = "rubbish, bins"
    bins.save()
    CategoryAttribute.objects.create(
        category=bins,
        code="bin_type",
        description="哪种垃圾桶？",
        description_en="Which bin?",
        datatype="singlevaluelist",
        required=True,
        values=[{"key": "kitchen", "name": "厨余", "name_en": "Kitchen waste"}, {"key": "other", "name": "其他"}],
        order=5,
    )
    CategoryAttribute.objects.create(
        category=bins, code="smell", description="气味", description_en="Smell", datatype="multivaluelist",
        values=[{"key": "bad", "name": "难闻"}, {"key": "awful", "name": "很难闻"}], order=9,
    )
    return feedback_town


def key_of(user: Any) -> str:
    return issue_api_token(actor=user, user=user, name="open311 app")[1]


def xml_of(response) -> ET.Element:
    assert response["Content-Type"] == XML_TYPE
    body = response.content.decode()
    assert body.startswith('<?xml version="1.0" encoding="utf-8"?>\n')
    return ET.fromstring(response.content)


def xml_records(response, root: str, item: str) -> list[dict[str, str]]:
    tree = xml_of(response)
    assert tree.tag == root
    assert all(child.tag == item for child in tree)
    return [{field.tag: field.text or "" for field in child} for child in tree]


def json_of(response) -> Any:
    assert response["Content-Type"] == JSON_TYPE
    return json.loads(response.content)


def png() -> bytes:
    output = BytesIO()
    Image.new("RGB", (8, 8), "red").save(output, "PNG")
    return output.getvalue()


def expected_request(case: Case, **changes: Any) -> dict[str, Any]:
    """The JSON record of a case; exact values from the case's own fields."""
    case.refresh_from_db()
    record = {
        "service_request_id": case.code,
        "status": "open",
        "status_notes": "",
        "service_name": "Litter and rubbish",
        "service_code": "sanitation",
        "description": case.description,
        "agency_responsible": "Sanitation Workgroup",
        "service_notice": "Bins are emptied within two days.",
        "requested_datetime": timezone.localtime(case.submitted_at).isoformat(timespec="seconds"),
        "updated_datetime": timezone.localtime(case.updated_at).isoformat(timespec="seconds"),
        "expected_datetime": timezone.localtime(case.answer_due).isoformat(timespec="seconds"),
        "address": "",
        "address_id": "",
        "zipcode": "",
        "lat": None,
        "long": None,
        "media_url": "",
    }
    record.update(changes)
    return record


def as_xml_text(record: dict[str, Any]) -> dict[str, str]:
    return {key: "" if value is None else str(value) for key, value in record.items()}


def bins_case(town, **fields: Any) -> Case:
    fields.setdefault("attributes", {"bin_type": "kitchen"})
    return file_case(town, **fields)


# -- Discovery and services -----------------------------------------------------------------------


def test_discovery_names_the_endpoint_its_formats_and_changeset(client, town):
    tree = xml_of(client.get(URL + "discovery.xml"))

    assert tree.tag == "discovery"
    assert [child.tag for child in tree] == ["changeset", "contact", "key_service", "endpoints"]
    endpoint = tree.find("endpoints/endpoint")
    assert {child.tag: child.text for child in endpoint if child.tag != "formats"} == {
        "specification": "http://wiki.open311.org/GeoReport_v2",
        "url": "http://testserver/open311/v2/",
        "changeset": "2026-11-25T08:00:00+08:00",
        "type": "production",
    }
    assert [item.text for item in endpoint.findall("formats/format")] == ["text/xml", "application/json"]
    assert tree.findtext("changeset") == "2026-11-25T08:00:00+08:00"
    assert "http://testserver/accounts/me/" in tree.findtext("key_service")

    document = json_of(client.get(URL + "discovery.json"))
    assert document["endpoints"] == [
        {
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": "http://testserver/open311/v2/",
            "changeset": "2026-11-25T08:00:00+08:00",
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }
    ]


def test_services_list_active_categories_with_metadata_when_they_ask_questions(client, town):
    roads = town.category("roads")
    roads.active = False
    roads.save()

    services = xml_records(client.get(URL + "services.xml"), "services", "service")

    assert len(services) == 18
    assert "roads" not in [service["service_code"] for service in services]
    bins = next(service for service in services if service["service_code"] == "sanitation")
    assert bins == {
        "service_code": "sanitation",
        "service_name": "Litter and rubbish",
        "description": "",
        "metadata": "true",
        "type": "realtime",
        "keywords": "rubbish, bins",
        "group": "环境",
    }
    listed = json_of(client.get(URL + "services.json"))
    water = next(service for service in listed if service["service_code"] == "water")
    assert water == {
        "service_code": "water",
        "service_name": "Water supply and drains",
        "description": "",
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": "水电气暖",
    }


def test_service_names_follow_locale_or_accept_language(client, town):
    def bins_name(response):
        return next(s["service_name"] for s in json_of(response) if s["service_code"] == "sanitation")

    assert bins_name(client.get(URL + "services.json", {"locale": "zh_CN"})) == "环境卫生与垃圾"
    assert bins_name(client.get(URL + "services.json", {"lang": "en"})) == "Litter and rubbish"
    assert bins_name(client.get(URL + "services.json", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")) == "环境卫生与垃圾"
    assert bins_name(client.get(URL + "services.json")) == "Litter and rubbish"  # the site's language


def test_service_definition_lists_questions_and_choices(client, town):
    tree = xml_of(client.get(URL + "services/sanitation.xml"))

    assert tree.tag == "service_definition"
    assert tree.findtext("service_code") == "sanitation"
    first = tree.find("attributes/attribute")
    assert [(child.tag, child.text or "") for child in first if child.tag != "values"] == [
        ("variable", "true"),
        ("code", "bin_type"),
        ("datatype", "singlevaluelist"),
        ("required", "true"),
        ("datatype_description", ""),
        ("order", "1"),
        ("description", "Which bin?"),
    ]
    assert [(value.findtext("key"), value.findtext("name")) for value in first.findall("values/value")] == [
        ("kitchen", "Kitchen waste"),
        ("other", "其他"),
    ]
    document = json_of(client.get(URL + "services/sanitation.json"))
    assert document["attributes"][1] == {
        "variable": True,
        "code": "smell",
        "datatype": "multivaluelist",
        "required": False,
        "datatype_description": "",
        "order": 2,
        "description": "Smell",
        "values": [{"key": "bad", "name": "难闻"}, {"key": "awful", "name": "很难闻"}],
    }
    assert json_of(client.get(URL + "services/water.json")) == {"service_code": "water", "attributes": []}


def test_unknown_service_is_404_in_either_format(client, town):
    response = client.get(URL + "services/potholes.xml")
    assert response.status_code == 404
    assert xml_records(response, "errors", "error") == [
        {"code": "404", "description": "There is no service with the code potholes."}
    ]
    response = client.get(URL + "services/potholes.json")
    assert response.status_code == 404
    assert json_of(response) == [{"code": 404, "description": "There is no service with the code potholes."}]


def test_an_unknown_format_is_404(client, town):
    response = client.get(URL + "services.csv")

    assert response.status_code == 404
    assert xml_records(response, "errors", "error") == [{"code": "404", "description": "Use the .xml or .json format."}]
    assert client.get(URL + "services.JSON").status_code == 200


# -- Posting a request and reading it back --------------------------------------------------------


def test_a_client_posts_a_form_and_reads_the_request_back_in_xml_and_json(client, town):
    key = key_of(town.resident)

    response = client.post(
        URL + "requests.xml",
        {
            "api_key": key,
            "jurisdiction_id": "linhai.gov.cn",
            "service_code": "sanitation",
            "organisation_id": str(town.xiaozhai.pk),
            "lat": "28.858",
            "long": "121.145",
            "address_string": "小寨村东口",
            "description": "垃圾桶满了\n三天没人清理",
            "attribute[bin_type]": "kitchen",
            "attribute[smell][]": ["bad", "awful"],
            "first_name": "Fang",
            "last_name": "Wang",
            "email": "wangfang@example.org",
            "phone": "13800000000",
            "device_id": "",
            "account_id": "",
        },
    )

    assert response.status_code == 201
    created = xml_records(response, "service_requests", "request")
    case = Case.objects.get()
    assert created == [
        {"service_request_id": case.code, "service_notice": "Bins are emptied within two days.", "account_id": ""}
    ]
    assert (case.privacy, case.channel, case.reporter_id, case.organisation) == ("hidden", "open311", None, town.xiaozhai)
    assert (case.reporter_name, case.reporter_email, case.reporter_phone) == ("Fang Wang", "wangfang@example.org", "13800000000")
    assert case.attributes == {"bin_type": "kitchen", "smell": ["bad", "awful"]}
    assert case.assigned_to == town.sanitation
    assert case.steps.get().actor == town.resident  # the app's account submitted it, not as the reporter

    expected = expected_request(
        case, address="小寨村东口", lat=28.858, long=121.145, description="垃圾桶满了\n三天没人清理"
    )
    read_xml = client.get(URL + f"requests/{case.code}.xml")
    assert read_xml.status_code == 200
    records = xml_records(read_xml, "service_requests", "request")
    assert [list(record) for record in records] == [REQUEST_FIELDS]
    assert records == [as_xml_text(expected)]
    assert records[0]["requested_datetime"] == timezone.localtime(case.submitted_at).isoformat(timespec="seconds")
    read_json = client.get(URL + f"requests/{case.code.lower()}.json")
    assert json_of(read_json) == [expected]
    assert list(json_of(read_json)[0]) == REQUEST_FIELDS
    for body in (read_xml.content.decode(), read_json.content.decode()):
        for secret in ("Fang", "Wang", "wangfang@example.org", "13800000000", "resident"):
            assert secret not in body


def test_datetimes_carry_the_local_offset(client, town):
    case = bins_case(town)

    record = json_of(client.get(URL + f"requests/{case.code}.json"))[0]

    for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert re.match(W3C, record[field]), record[field]


def test_api_key_in_the_query_string_and_anonymous_without_contact(client, town):
    response = client.post(
        URL + f"requests.json?api_key={key_of(town.resident)}",
        {"service_code": "sanitation", "address_string": "村口", "description": "垃圾", "attribute[bin_type]": "other",
         "email": "", "first_name": "", "lat": "", "long": ""},
    )

    assert response.status_code == 201
    case = Case.objects.get()
    assert json_of(response) == [
        {"service_request_id": case.code, "service_notice": "Bins are emptied within two days.", "account_id": ""}
    ]
    assert (case.privacy, case.reporter_name, case.reporter_email) == ("anonymous", "", "")
    assert case.organisation == town.city  # no organisation_id: the site's only root place
    assert (case.latitude, case.longitude) == (None, None)


def test_a_json_body_is_accepted(client, town):
    response = client.post(
        URL + "requests.json",
        json.dumps(
            {
                "api_key": key_of(town.resident),
                "service_code": "sanitation",
                "organisation_id": town.xiaozhai.pk,
                "lat": 28.5,
                "long": 121.25,
                "description": "垃圾桶坏了",
                "attribute": {"bin_type": "other", "smell": ["bad"]},
                "media_url": "https://photos.example.org/bin.jpg",
                "phone": "13900000000",
            }
        ),
        content_type="application/json",
    )

    assert response.status_code == 201
    case = Case.objects.get()
    assert case.attributes == {"bin_type": "other", "smell": ["bad"]}
    assert (case.latitude, case.longitude, case.privacy) == (28.5, 121.25, "hidden")
    assert case.description == "垃圾桶坏了\n\nhttps://photos.example.org/bin.jpg"
    assert case.reporter_name == "13900000000"  # the contact stands in for the name handlers need
    record = json_of(client.get(URL + f"requests/{case.code}.json"))[0]
    assert (record["lat"], record["long"], record["media_url"]) == (28.5, 121.25, "")
    assert "13900000000" not in client.get(URL + "requests.xml").content.decode()


def test_posting_needs_a_working_api_key_and_changes_nothing_without_one(client, town):
    form = {"service_code": "sanitation", "address_string": "村口", "description": "垃圾", "attribute[bin_type]": "other"}
    token_key = key_of(town.resident)
    town.resident.is_active = False
    town.resident.save()

    missing = client.post(URL + "requests.xml", form)
    wrong = client.post(URL + "requests.json", {**form, "api_key": "tx_wrong"})
    inactive = client.post(URL + "requests.json", {**form, "api_key": token_key})

    assert missing.status_code == wrong.status_code == inactive.status_code == 403
    assert xml_records(missing, "errors", "error") == [{"code": "403", "description": "Give your api_key."}]
    assert json_of(wrong) == [{"code": 403, "description": "This api_key is not valid."}]
    assert json_of(inactive) == [{"code": 403, "description": "This api_key is not valid."}]
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "description"),
    [
        ({"service_code": ""}, "Give a service_code from the list of services."),
        ({"service_code": "potholes"}, "Give a service_code from the list of services."),
        ({"address_string": "", "lat": "28.8"}, "Give the location: lat and long, address_string or address_id."),
        ({"description": " "}, "Describe the problem, request or suggestion."),
        ({"attribute[bin_type]": ""}, "Answer the question: Which bin?"),
        ({"attribute[bin_type]": "glass"}, "Choose from the list for: Which bin?"),
        ({"organisation_id": "999999"}, "There is no place with the organisation_id 999999."),
        ({"lat": "north", "long": "east"}, "A map point must be given as numbers."),
        ({"email": "not-an-address"}, "Enter a valid email address."),
        ({"media_url": "javascript:alert(1)"}, "The media_url must be an http or https address."),
    ],
)
def test_a_request_a_person_can_fix_is_400_and_creates_nothing(client, town, changes, description):
    form = {
        "api_key": key_of(town.resident),
        "service_code": "sanitation",
        "address_string": "村口",
        "description": "垃圾",
        "attribute[bin_type]": "other",
        "organisation_id": str(town.xiaozhai.pk),
        **changes,
    }

    as_xml = client.post(URL + "requests.xml", form)
    as_json = client.post(URL + "requests.json", form)

    assert as_xml.status_code == as_json.status_code == 400
    assert xml_records(as_xml, "errors", "error") == [{"code": "400", "description": description}]
    assert json_of(as_json) == [{"code": 400, "description": description}]
    assert Case.objects.count() == 0


def test_without_organisation_id_several_roots_need_one(client, town):
    from tests.helpers import organisation

    organisation("天台县", "Tiantai County", "city", None)
    form = {"api_key": key_of(town.resident), "service_code": "other", "address_id": "A-17", "description": "x"}

    response = client.post(URL + "requests.json", form)

    assert response.status_code == 400
    assert json_of(response) == [
        {"code": 400, "description": "Give organisation_id: the village, community or grid where it is."}
    ]
    accepted = client.post(URL + "requests.json", {**form, "organisation_id": str(town.datian.pk)})
    assert accepted.status_code == 201
    assert Case.objects.get().address == "A-17"


def test_a_request_by_id_is_404_when_unknown_unpublished_or_merged(client, town):
    hidden_away = bins_case(town)
    set_published(case=hidden_away, actor=town.handler, published=False)

    for code in ("ZZZZ-ZZZZ", hidden_away.code):
        response = client.get(URL + f"requests/{code}.json")
        assert response.status_code == 404
        assert json_of(response) == [{"code": 404, "description": f"There is no request with the id {code}."}]
    assert xml_of(client.get(URL + "requests/ZZZZ-ZZZZ.xml")).tag == "errors"


def test_tokens_resolve_to_the_request_id(client, town):
    case = bins_case(town)

    assert xml_records(client.get(URL + f"tokens/{case.code}.xml"), "service_requests", "request") == [
        {"service_request_id": case.code, "token": case.code}
    ]
    assert json_of(client.get(URL + f"tokens/{case.code}.json")) == [{"service_request_id": case.code, "token": case.code}]
    missing = client.get(URL + "tokens/ZZZZ-ZZZZ.json")
    assert missing.status_code == 404
    assert json_of(missing) == [{"code": 404, "description": "There is no request for the token ZZZZ-ZZZZ."}]


# -- Lists ----------------------------------------------------------------------------------------


def test_closed_requests_carry_the_answer_or_the_reason_and_public_photos(client, town):
    answered = bins_case(town, photos=[png()])
    answer_case(case=answered, actor=town.handler, text="已清理。")
    declined = bins_case(town, privacy=Privacy.HIDDEN, photos=[png()])
    decline_case(case=declined, actor=town.handler, text="不属于本村。")
    open_case = bins_case(town, privacy=Privacy.ANONYMOUS)
    acknowledge_case(case=open_case, actor=town.handler, text="收到")

    listed = json_of(client.get(URL + "requests.json"))

    photo = answered.photos.get()
    assert listed == [
        expected_request(open_case),
        expected_request(declined, status="closed", status_notes="不属于本村。"),
        expected_request(
            answered,
            status="closed",
            status_notes="已清理。",
            media_url=f"http://testserver/cases/{answered.code}/photos/{photo.pk}/",
        ),
    ]
    body = client.get(URL + "requests.xml").content.decode() + json.dumps(listed, ensure_ascii=False)
    assert "王芳" not in body


def test_list_filters_by_status_service_dates_and_ids(client, town):
    bins = bins_case(town)
    water = file_case(town, category="water")
    answer_case(case=water, actor=town.office_handler, text="修好了")
    old = bins_case(town)
    Case.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=91))

    def codes(**query):
        response = client.get(URL + "requests.json", query)
        assert response.status_code == 200, response.content
        return [record["service_request_id"] for record in json_of(response)]

    assert codes() == [water.code, bins.code]  # the last 90 days, newest first
    assert codes(status="open") == [bins.code]
    assert codes(status="closed") == [water.code]
    assert codes(status="open,closed") == [water.code, bins.code]
    assert codes(service_code="water") == [water.code]
    assert codes(service_code="water,sanitation", status="closed") == [water.code]
    long_ago = timezone.localtime(timezone.now() - datetime.timedelta(days=100))
    assert codes(start_date=long_ago.isoformat()) == [water.code, bins.code, old.code]
    assert codes(start_date=long_ago.isoformat(), end_date=(long_ago + datetime.timedelta(days=20)).isoformat()) == [
        old.code
    ]
    assert codes(end_date=(long_ago + datetime.timedelta(days=20)).strftime("%Y-%m-%d")) == [old.code]
    assert codes(service_request_id=f"{old.code},{bins.code.lower()}", status="closed") == [bins.code, old.code]
    assert codes(service_request_id="", status="") == [water.code, bins.code]


def test_bad_list_parameters_are_400(client, town):
    status = client.get(URL + "requests.json", {"status": "fixed"})
    date = client.get(URL + "requests.xml", {"start_date": "last week"})

    assert status.status_code == date.status_code == 400
    assert json_of(status) == [{"code": 400, "description": "The status must be open or closed."}]
    assert xml_records(date, "errors", "error") == [
        {"code": "400", "description": "start_date must be a date and time such as 2026-11-25T10:00:00+08:00."}
    ]


def test_lists_stop_at_1000_records(client, town):
    template = bins_case(town)
    fields = {
        field.name: getattr(template, field.name)
        for field in Case._meta.concrete_fields
        if field.name not in ("id", "code")
    }
    Case.objects.bulk_create([Case(**fields) for _ in range(1000)])

    assert len(json_of(client.get(URL + "requests.json"))) == 1000
    assert len(xml_of(client.get(URL + "requests.xml"))) == 1000


def test_list_queries_do_not_grow_with_the_cases(client, town, django_assert_max_num_queries):
    for privacy in (Privacy.PUBLIC, Privacy.HIDDEN, Privacy.ANONYMOUS):
        for _ in range(3):
            case = bins_case(town, privacy=privacy, photos=[png()])
            record_progress(case=case, actor=town.handler, text="在处理", photos=[png()])

    with django_assert_max_num_queries(2):
        assert len(json_of(client.get(URL + "requests.json"))) == 9
    with django_assert_max_num_queries(2):
        assert len(xml_of(client.get(URL + "requests.xml"))) == 9
    with django_assert_max_num_queries(2):
        assert len(json_of(client.get(URL + "servicerequestupdates.json"))) == 18
    with django_assert_max_num_queries(3):
        assert len(json_of(client.get(URL + "services.json"))) == 19


# -- Request updates ------------------------------------------------------------------------------


def test_updates_list_public_steps_of_published_cases_with_our_status(client, town):
    case = bins_case(town, photos=[png()])
    progress = record_progress(case=case, actor=town.handler, text="已派人", photos=[png()])
    record_progress(case=case, actor=town.handler, text="内部备注", public=False)
    answer = answer_case(case=case, actor=town.handler, text="已清理")
    unpublished = bins_case(town)
    record_progress(case=unpublished, actor=town.handler, text="秘密")
    set_published(case=unpublished, actor=town.handler, published=False)

    updates = json_of(client.get(URL + "servicerequestupdates.json"))

    submitted = case.steps.order_by("pk").first()
    first_photo, photo = submitted.photos.get(), progress.photos.get()
    assert updates == [
        {
            "update_id": str(step.pk),
            "service_request_id": case.code,
            "status": status,
            "updated_datetime": timezone.localtime(step.created_at).isoformat(timespec="seconds"),
            "description": text,
            "media_url": media_url,
            "external_status_code": rich,
        }
        for step, status, text, media_url, rich in [
            (submitted, "open", "", f"http://testserver/cases/{case.code}/photos/{first_photo.pk}/", "submitted"),
            (progress, "open", "已派人", f"http://testserver/cases/{case.code}/photos/{photo.pk}/", "in_progress"),
            (answer, "closed", "已清理", "", "answered"),
        ]
    ]
    tree = xml_of(client.get(URL + "servicerequestupdates.xml"))
    assert tree.tag == "service_request_updates"
    assert [child.tag for child in tree] == ["request_update"] * 3
    assert [field.tag for field in tree[0]] == list(updates[0])
    assert "王芳" not in json.dumps(updates, ensure_ascii=False) + ET.tostring(tree, encoding="unicode")


def test_updates_default_to_seven_days_and_take_a_range(client, town):
    case = bins_case(town)
    step = case.steps.get()
    now = timezone.now()

    def ids(**query):
        return [update["update_id"] for update in json_of(client.get(URL + "servicerequestupdates.json", query))]

    assert ids() == [str(step.pk)]
    assert ids(start_date=(now + datetime.timedelta(minutes=1)).isoformat()) == []
    assert ids(end_date=(now - datetime.timedelta(days=1)).isoformat()) == []
    assert ids(service_request_id="ZZZZ-ZZZZ") == []
    assert ids(service_request_id=case.code) == [str(step.pk)]
    later = timezone.localtime(now + datetime.timedelta(days=8)).isoformat()
    assert ids(end_date=later) == []  # seven days back from the end


def test_a_handler_posts_progress_and_an_answer(client, town):
    case = bins_case(town)
    key = key_of(town.handler)

    progress = client.post(
        URL + "servicerequestupdates.xml",
        {"api_key": key, "service_request_id": case.code, "status": "open", "description": "已派人", "update_id": "x1"},
    )
    answered = client.post(
        URL + f"servicerequestupdates.json?api_key={key}",
        json.dumps({"service_request_id": case.code.lower(), "status": "closed", "description": "已清理",
                    "media_url": "https://photos.example.org/after.jpg"}),
        content_type="application/json",
    )

    assert progress.status_code == answered.status_code == 200
    steps = list(CaseStep.objects.filter(case=case).order_by("pk"))
    assert xml_records(progress, "service_request_updates", "request_update") == [{"update_id": str(steps[1].pk)}]
    assert json_of(answered) == [{"update_id": str(steps[2].pk)}]
    assert [(step.kind, step.text, step.actor) for step in steps[1:]] == [
        ("progress", "已派人", town.handler),
        ("answered", "已清理\n\nhttps://photos.example.org/after.jpg", town.handler),
    ]
    case.refresh_from_db()
    assert case.status == Status.ANSWERED


def test_a_decline_status_declines_with_the_reason(client, town):
    case = bins_case(town)

    response = client.post(
        URL + "servicerequestupdates.json",
        {"api_key": key_of(town.handler), "service_request_id": case.code, "status": "not_councils_responsibility",
         "description": "归镇里管"},
    )

    assert response.status_code == 200
    case.refresh_from_db()
    assert (case.status, case.answer) == (Status.DECLINED, "归镇里管")


def test_updates_are_refused_to_others_and_change_nothing(client, town):
    case = bins_case(town)
    keys = {user: key_of(user) for user in (town.datian_handler, town.resident, town.handler)}
    audit_before = AuditEvent.objects.count()
    form = {"service_request_id": case.code, "status": "closed", "description": "已清理"}

    denied = client.post(URL + "servicerequestupdates.json", {**form, "api_key": keys[town.datian_handler]})
    resident = client.post(URL + "servicerequestupdates.xml", {**form, "api_key": keys[town.resident]})
    no_key = client.post(URL + "servicerequestupdates.json", form)
    unknown = client.post(
        URL + "servicerequestupdates.json", {**form, "service_request_id": "ZZZZ-ZZZZ", "api_key": keys[town.handler]}
    )

    assert denied.status_code == resident.status_code == no_key.status_code == 403
    assert json_of(denied) == [{"code": 403, "description": "This api_key may not update this request."}]
    assert xml_records(resident, "errors", "error") == [
        {"code": "403", "description": "This api_key may not update this request."}
    ]
    assert json_of(no_key) == [{"code": 403, "description": "Give your api_key."}]
    assert unknown.status_code == 404
    assert json_of(unknown) == [{"code": 404, "description": "There is no request with the id ZZZZ-ZZZZ."}]
    case.refresh_from_db()
    assert (case.status, case.answer, case.steps.count()) == (Status.SUBMITTED, "", 1)
    assert AuditEvent.objects.count() == audit_before


def test_an_update_a_person_can_fix_is_400(client, town):
    case = bins_case(town)
    key = key_of(town.handler)

    empty = client.post(URL + "servicerequestupdates.json", {"api_key": key, "service_request_id": case.code,
                                                              "status": "closed"})
    odd = client.post(URL + "servicerequestupdates.json", {"api_key": key, "service_request_id": case.code,
                                                            "status": "teleported", "description": "x"})

    assert json_of(empty) == [{"code": 400, "description": "Write the answer to the reporter."}]
    assert json_of(odd) == [{"code": 400, "description": "The status must be open or closed."}]
    assert case.steps.count() == 1


def test_wrong_methods_are_405_in_the_format(client, town):
    response = client.post(URL + "services.json")

    assert response.status_code == 405
    assert json_of(response) == [{"code": 405, "description": "This method is not allowed here."}]


def test_a_form_sent_without_its_content_type_is_still_read(client, town):
    from urllib.parse import urlencode

    body = urlencode(
        {"api_key": key_of(town.resident), "service_code": "sanitation", "address_string": "村口",
         "description": "垃圾", "attribute[bin_type][0]": "other", "attribute[smell][1]": "bad"}
    )

    response = client.post(URL + "requests.json", body, content_type="text/plain")

    assert response.status_code == 201
    assert Case.objects.get().attributes == {"bin_type": "other", "smell": ["bad"]}


def test_a_json_body_that_is_not_an_object_is_400(client, town):
    response = client.post(URL + "requests.json", "[1, 2]", content_type="application/json")

    assert response.status_code == 400
    assert json_of(response) == [{"code": 400, "description": "Send the request as a form or as a JSON object."}]
