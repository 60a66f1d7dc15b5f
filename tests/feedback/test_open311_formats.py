import datetime
import json
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from tongxin.feedback.open311.formats import JSON, XML, coordinate, errors, parse_w3c, render, w3c

SHANGHAI = ZoneInfo("Asia/Shanghai")
scalars = st.one_of(st.text(), st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False, allow_infinity=False))
keys = st.from_regex(r"\A[a-z_]{1,12}\Z")


def test_a_list_of_records_in_xml_has_the_declaration_root_and_item_names():
    document = [{"service_code": "roads", "metadata": True, "group": "", "lat": None, "order": 1, "long": 121.5}]

    body = render(document, "services", XML).decode()

    assert body == (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        "<services><service><service_code>roads</service_code><metadata>true</metadata>"
        "<group /><lat /><order>1</order><long>121.5</long></service></services>"
    )


def test_the_same_list_in_json_keeps_keys_types_and_a_top_level_list():
    document = [{"service_code": "roads", "metadata": False, "lat": None, "long": 121.5, "name": "道路"}]

    body = render(document, "services", JSON)

    assert body.decode() == '[{"service_code":"roads","metadata":false,"lat":null,"long":121.5,"name":"道路"}]'


def test_nested_lists_take_their_item_names_from_the_specification():
    document = {
        "service_code": "sanitation",
        "attributes": [{"code": "bin", "values": [{"key": "a", "name": "A"}, {"key": "b", "name": "B"}]}],
    }

    root = ET.fromstring(render(document, "service_definition", XML))

    assert root.tag == "service_definition"
    assert [value.findtext("key") for value in root.findall("attributes/attribute/values/value")] == ["a", "b"]


def test_errors_are_a_list_of_code_and_description():
    assert render(errors(403, "No key."), "errors", XML).decode() == (
        '<?xml version="1.0" encoding="utf-8"?>\n<errors><error><code>403</code><description>No key.</description></error></errors>'
    )
    assert json.loads(render(errors(404, "Nothing."), "errors", JSON)) == [{"code": 404, "description": "Nothing."}]


@given(st.lists(st.dictionaries(keys, st.text()), max_size=4))
def test_any_text_survives_xml_except_characters_xml_cannot_carry(records):
    root = ET.fromstring(render(records, "service_requests", XML))

    assert [{child.tag: child.text or "" for child in item} for item in root] == [
        {key: xml_safe(value) for key, value in record.items()} for record in records
    ]


def xml_safe(text):
    kept = "".join(
        ch for ch in text if ch in "\t\n\r" or " " <= ch <= "\ud7ff" or "\ue000" <= ch <= "\ufffd" or ch > "\uffff"
    )
    return kept.replace("\r\n", "\n").replace("\r", "\n")


def test_line_ends_and_control_characters():
    body = render([{"description": "a\r\nb\rc\x00d\x0be"}], "service_requests", XML)

    assert ET.fromstring(body).findtext("request/description") == "a\nb\ncde"


@given(st.lists(st.dictionaries(keys, scalars), max_size=4))
def test_json_and_xml_carry_the_same_fields_in_the_same_order(records):
    from_json = json.loads(render(records, "service_requests", JSON))
    from_xml = ET.fromstring(render(records, "service_requests", XML))

    assert [list(record) for record in from_json] == [[child.tag for child in item] for item in from_xml]


def test_datetimes_are_w3c_with_seconds_and_offset():
    moment = datetime.datetime(2026, 11, 25, 10, 0, 0, 123456, tzinfo=SHANGHAI)

    assert w3c(moment) == "2026-11-25T10:00:00+08:00"
    assert w3c(moment.astimezone(datetime.UTC)) == "2026-11-25T02:00:00+00:00"
    assert w3c(None) == ""


def test_client_datetimes_are_read_liberally():
    expected = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)

    assert parse_w3c("2026-11-25T10:00:00+08:00", SHANGHAI) == expected
    assert parse_w3c("2026-11-25T10:00:00 08:00", SHANGHAI) == expected  # "+" lost in a query string
    assert parse_w3c("2026-11-25T02:00:00Z", SHANGHAI) == expected
    assert parse_w3c("2026-11-25T02:00:00.000z", SHANGHAI) == expected
    assert parse_w3c("2026-11-25T10:00:00", SHANGHAI) == expected
    assert parse_w3c("2026-11-25", SHANGHAI) == datetime.datetime(2026, 11, 25, tzinfo=SHANGHAI)
    assert parse_w3c("yesterday", SHANGHAI) is None
    assert parse_w3c("", SHANGHAI) is None


whole_seconds = st.datetimes(datetime.datetime(1900, 1, 1), datetime.datetime(2200, 1, 1)).map(
    lambda moment: moment.replace(microsecond=0)
)


@given(whole_seconds, st.integers(-14 * 60, 14 * 60))
def test_what_we_write_we_read_back(moment, offset_minutes):
    moment = moment.replace(tzinfo=datetime.timezone(datetime.timedelta(minutes=offset_minutes)))

    assert parse_w3c(w3c(moment), datetime.UTC) == moment


def test_coordinates_are_plain_numbers():
    from decimal import Decimal

    assert coordinate(Decimal("31.200000")) == 31.2
    assert coordinate(None) is None
