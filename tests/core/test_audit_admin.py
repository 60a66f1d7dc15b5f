"""The audit log in the admin site: searchable and filterable, and never changeable by anyone."""

import re

import pytest
from django.test import Client

from tests.core.conftest import CLERK
from tests.factories import UserFactory
from tests.helpers import page_text, sign_in
from tongxin.core.audit import record_audit, verify_chain
from tongxin.core.models import AuditEvent, SchedulerRun

CHANGELIST = "/admin/core/auditevent/"


def listed_seqs(response) -> list[int]:  # noqa: ANN001
    return [int(seq) for seq in re.findall(r'<th class="field-seq"><a href="[^"]+">(\d+)</a>', response.content.decode())]


@pytest.fixture
def events(db: None) -> list[AuditEvent]:
    return [
        record_audit(actor=CLERK, verb="case.submit", data={"case": 1}),
        record_audit(actor=CLERK, verb="case.answer", data={"case": 1}),
        record_audit(actor=CLERK, verb="election.open", data={"election": 7}),
    ]


@pytest.fixture
def superuser_client(db: None) -> Client:
    """A superuser after password and second factor: the admin needs both."""
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    sign_in(client, user)
    return client


def test_the_list_shows_the_newest_events_first(events: list[AuditEvent], superuser_client: Client) -> None:
    response = superuser_client.get(CHANGELIST)
    assert response.status_code == 200
    assert listed_seqs(response) == [3, 2, 1]
    text = page_text(response)
    assert "system:clerk election.open" in text
    assert "Add audit event" not in text


def test_search_and_filter_narrow_the_list(events: list[AuditEvent], superuser_client: Client) -> None:
    assert listed_seqs(superuser_client.get(CHANGELIST, {"q": "case."})) == [2, 1]
    assert listed_seqs(superuser_client.get(CHANGELIST, {"q": "2"})) == [2]
    assert listed_seqs(superuser_client.get(CHANGELIST, {"q": events[0].digest})) == [1]
    assert listed_seqs(superuser_client.get(CHANGELIST, {"verb": "election.open"})) == [3]


def test_an_event_opens_read_only(events: list[AuditEvent], superuser_client: Client) -> None:
    response = superuser_client.get(f"{CHANGELIST}{events[1].pk}/change/")
    assert response.status_code == 200
    text = page_text(response)
    assert "View audit event" in text
    assert events[1].digest in text
    assert 'name="_save"' not in response.content.decode()


def test_nobody_can_add_change_or_delete_an_event_in_the_admin(
    events: list[AuditEvent], superuser_client: Client
) -> None:
    event = events[1]
    assert superuser_client.get(f"{CHANGELIST}add/").status_code == 403
    assert superuser_client.post(f"{CHANGELIST}add/", {"seq": 4, "verb": "case.forged"}).status_code == 403
    assert superuser_client.post(f"{CHANGELIST}{event.pk}/change/", {"verb": "case.forged"}).status_code == 403
    assert superuser_client.get(f"{CHANGELIST}{event.pk}/delete/").status_code == 403
    assert superuser_client.post(f"{CHANGELIST}{event.pk}/delete/", {"post": "yes"}).status_code == 403
    bulk = superuser_client.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"})
    assert bulk.status_code == 200

    assert list(AuditEvent.objects.values_list("seq", "verb")) == [
        (1, "case.submit"),
        (2, "case.answer"),
        (3, "election.open"),
    ]
    assert verify_chain().intact


def test_the_scheduler_records_are_read_only_too(db: None, superuser_client: Client) -> None:
    run = SchedulerRun.objects.create(job="tongxin.core.tasks.verify_audit_chain")
    assert superuser_client.get("/admin/core/schedulerrun/").status_code == 200
    assert superuser_client.get("/admin/core/schedulerrun/add/").status_code == 403
    assert superuser_client.post(f"/admin/core/schedulerrun/{run.pk}/delete/", {"post": "yes"}).status_code == 403
    assert SchedulerRun.objects.count() == 1


def test_someone_without_admin_access_sees_nothing(events: list[AuditEvent]) -> None:
    client = Client()
    client.force_login(UserFactory(username="resident"))
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={CHANGELIST}"
    assert AuditEvent.objects.count() == 3
