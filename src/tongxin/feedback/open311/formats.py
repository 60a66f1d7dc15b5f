"""Open311 GeoReport v2 documents, spelt as XML or JSON from one plain tree; W3C dates in and out.

A document is a record (a dict) or a list of records. Values are str, int, float, bool, None,
a nested record or a list. XML writes a list under its field's name with one child per item
(`attributes` → `attribute`); JSON keeps the same keys, with lists at the top level.
No Django here: the views build the records, this module only spells them.
"""

from __future__ import annotations

import datetime
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

XML = "xml"
JSON = "json"
CONTENT_TYPES = {XML: "text/xml; charset=utf-8", JSON: "application/json; charset=utf-8"}
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'

# The element name of one item of each list field, as the specification and FixMyStreet spell them.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}

# Characters XML 1.0 cannot carry at all (a resident's text may contain them): dropped on output.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# "+08:00" arrives as " 08:00" when a client forgets to percent-encode the plus sign.
_UNENCODED_PLUS = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")

Document = Mapping[str, Any] | Sequence[Mapping[str, Any]]


def render(document: Document, root: str, fmt: str) -> bytes:
    """The document in the format: for a list, `root` names the XML root and the items follow ITEM_NAMES."""
    if fmt == JSON:
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    element = ET.Element(root)
    _fill(element, document)
    return (XML_DECLARATION + ET.tostring(element, encoding="unicode")).encode()


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _fill(ET.SubElement(element, ITEM_NAMES.get(element.tag, "item")), item)
    else:
        element.text = xml_text(value)


def xml_text(value: Any) -> str:
    """How one value reads in XML: booleans as the specification's true/false, nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    # A parser turns line ends into "\n" anyway; writing them so keeps JSON and XML alike.
    return _NOT_IN_XML.sub("", str(value)).replace("\r\n", "\n").replace("\r", "\n")


def errors(code: int, description: str) -> list[dict[str, Any]]:
    """The Open311 error list: one error with the HTTP status as its code."""
    return [{"code": code, "description": description}]


def w3c(moment: datetime.datetime | None) -> str:
    """2026-11-25T10:00:00+08:00: seconds and an offset, as the W3C profile of ISO 8601 asks."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        raise ValueError("Open311 datetimes carry their offset.")
    return moment.isoformat(timespec="seconds")


def parse_w3c(text: str, default_zone: datetime.tzinfo) -> datetime.datetime | None:
    """A client's date or datetime, read liberally; None when it is not one.

    Accepts "Z" or an offset, fractions of a second, a date alone (its midnight) and an offset
    whose "+" became a space in the query string. Without an offset, `default_zone` applies.
    """
    text = _UNENCODED_PLUS.sub(r"\1+\2", text.strip())
    if text[-1:] in ("z", "Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=default_zone)


def coordinate(value: Any) -> float | None:
    """A latitude or longitude as a JSON number (31.2, not "31.200000"); None when there is none."""
    return None if value is None else float(value)
