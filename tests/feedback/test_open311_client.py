"""A published Open311 client (the `georeport` package on PyPI) reads our endpoint, in XML and in
JSON, over HTTP from a live server: what cities' apps do."""

import datetime

import pytest
from georeport import GeoReport

from tests.feedback.conftest import FeedbackTown, file_case
from tongxin.feedback.models import Case, Privacy


@pytest.fixture
def town(seeded_categories, feedback_town: FeedbackTown) -> FeedbackTown:
    return feedback_town


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_a_published_client_lists_services_and_reads_requests(live_server, town, output_format):
    case = file_case(town, description="村口路灯不亮", category="street_lights", privacy=Privacy.HIDDEN, reporter_name="隐名人")
    # Two requests: with one, the client's XML parser (xmltodict) gives a dict instead of a list.
    earlier = file_case(town, description="垃圾桶满了", privacy=Privacy.ANONYMOUS)
    Case.objects.filter(pk=earlier.pk).update(submitted_at=case.submitted_at - datetime.timedelta(hours=1))
    client = GeoReport(f"{live_server.url}/open311/v2", output_format=output_format)

    services = client.get_service_list()
    requests = client.get_service_requests(status="open")
    one = client.get_service_request(case.code)

    assert [service["service_code"] for service in services][:3] == ["roads", "street_lights", "water"]
    assert client.get_service_definition("street_lights")["service_code"] == "street_lights"
    assert [request["service_request_id"] for request in requests] == [case.code, earlier.code]
    assert (one["service_request_id"], one["status"], one["service_code"], one["description"]) == (
        case.code, "open", "street_lights", "村口路灯不亮"
    )
    assert "隐名人" not in str(requests) + str(one)
