"""Documents issued in a committee's name: drafted, edited, and published only with a passed motion
of the same organisation, which the page links to; the database refuses a published document
without a motion. Who may issue them, and nothing changed when not."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from tests.helpers import page_text, sign_in
from tongxin.core.errors import ActionError
from tongxin.core.models import AuditEvent
from tongxin.elections.actions.motions import (
    decide_motion,
    draft_document,
    edit_document,
    publish_document,
    record_tally,
    record_votes,
    table_motion,
)
from tongxin.elections.models import Document, Motion

from .conftest import Village

pytestmark = pytest.mark.django_db

MEETING = datetime.date(2024, 3, 5)
NOTICE = "经支部委员会研究决定，村东道路硬化工程于四月开工。"


def motion_of(village: Village, *, passes: bool, title: str = "关于村东道路硬化的决议") -> Motion:
    motion = table_motion(actor=village.committee, organisation=village.branch, title=title, text="同意。", meeting_on=MEETING)
    second = "yes" if passes else "no"
    votes = {
        village.person("member01").pk: {"attendance": "present", "choice": "yes"},
        village.person("member02").pk: {"attendance": "present", "choice": second},
        village.person("member03").pk: {"attendance": "present", "choice": "no"},
    }
    record_votes(actor=village.committee, motion=motion, votes=votes)
    return decide_motion(actor=village.committee, motion=motion)


def notice(village: Village) -> Document:
    return draft_document(actor=village.committee, organisation=village.branch, kind="notice", title="道路施工通知", body=NOTICE)


def test_a_document_is_published_with_the_passed_motion_that_approved_it(village: Village) -> None:
    motion = motion_of(village, passes=True)
    document = edit_document(actor=village.committee, document=notice(village), title="村东道路施工通知")

    document = publish_document(actor=village.committee, document=document, motion=motion)

    assert (document.status, document.motion, document.title) == ("published", motion, "村东道路施工通知")
    assert document.published_at is not None
    assert [event.verb for event in AuditEvent.objects.for_target(document).order_by("seq")] == [
        "election.document.draft", "election.document.edit", "election.document.publish",
    ]


def test_a_failed_motion_does_not_approve_a_document(village: Village) -> None:
    motion = motion_of(village, passes=False)
    document = notice(village)

    with pytest.raises(ActionError) as error:
        publish_document(actor=village.committee, document=document, motion=motion)

    assert error.value.status == 409
    assert error.value.message == (
        "The motion “关于村东道路硬化的决议” did not pass (Failed): a document is published only with a passed motion."
    )
    assert Document.objects.get().status == "draft"


def test_an_open_motion_or_another_organisations_motion_does_not_approve_a_document(village: Village) -> None:
    open_motion = table_motion(actor=village.committee, organisation=village.branch, title="待表决", text="同意。", meeting_on=MEETING)
    assembly = table_motion(
        actor=village.admin, organisation=village.village, title="村民会议决议", text="同意。", meeting_on=MEETING, members_due=30,
    )
    record_tally(actor=village.admin, motion=assembly, present=20, yes=15, no=5, abstain=0)
    assembly = decide_motion(actor=village.admin, motion=assembly)
    document = notice(village)

    with pytest.raises(ActionError) as pending:
        publish_document(actor=village.committee, document=document, motion=open_motion)
    with pytest.raises(ActionError) as elsewhere:
        publish_document(actor=village.admin, document=document, motion=assembly)

    assert pending.value.message == (
        "The motion “待表决” did not pass (Being voted on): a document is published only with a passed motion."
    )
    assert elsewhere.value.message == "A document issued in the name of Xiaozhai Party Branch needs a motion of Xiaozhai Party Branch."
    assert (assembly.status, Document.objects.get().status) == ("passed", "draft")


def test_a_published_document_never_changes(village: Village) -> None:
    document = publish_document(actor=village.committee, document=notice(village), motion=motion_of(village, passes=True))

    with pytest.raises(ActionError) as edit:
        edit_document(actor=village.committee, document=document, body="改过的内容")
    with pytest.raises(ActionError) as again:
        publish_document(actor=village.committee, document=document, motion=motion_of(village, passes=True, title="另一决议"))

    assert (edit.value.status, edit.value.message) == (409, "This document is published and can no longer change.")
    assert again.value.status == 409
    assert Document.objects.get().body == NOTICE


def test_the_database_refuses_a_published_document_without_a_motion(village: Village) -> None:
    document = notice(village)

    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.filter(pk=document.pk).update(status="published")

    assert Document.objects.get().status == "draft"


def test_only_recorders_draft_and_publish(village: Village) -> None:
    motion = motion_of(village, passes=True)
    document = notice(village)
    events = AuditEvent.objects.count()

    with pytest.raises(PermissionDenied):
        draft_document(actor=village.account("member01"), organisation=village.branch, kind="notice", title="通知", body="内容")
    with pytest.raises(PermissionDenied):
        publish_document(actor=village.account("member01"), document=document, motion=motion)
    with pytest.raises(PermissionDenied):
        edit_document(actor=village.village_committee_runner, document=document, title="改")

    assert Document.objects.count() == 1
    assert Document.objects.get().status == "draft"
    assert AuditEvent.objects.count() == events


# ---- the pages ----------------------------------------------------------------------------------------


def test_a_document_is_drafted_and_published_in_the_browser(client: Client, village: Village) -> None:
    failed = motion_of(village, passes=False, title="否决的决议")
    passed = motion_of(village, passes=True, title="关于村东道路硬化的决议")
    sign_in(client, village.committee)

    drafted = client.post(
        reverse("elections:documents", args=[village.branch.pk]), {"kind": "notice", "title": "道路施工通知", "body": NOTICE}
    )
    document = Document.objects.get()
    assert drafted.status_code == 302
    assert drafted["Location"] == reverse("elections:document", args=[document.pk])
    draft_page = client.get(drafted["Location"])
    assert f'<option value="{passed.pk}">2024-03-05 · 关于村东道路硬化的决议</option>' in draft_page.content.decode()
    assert "否决的决议" not in draft_page.content.decode()  # only passed motions are offered

    refused = client.post(drafted["Location"], {"step": "publish", "motion": failed.pk})
    assert refused.status_code == 400
    assert "The motion “否决的决议” did not pass (Failed): a document is published only with a passed motion." in page_text(refused)
    assert Document.objects.get().status == "draft"

    published = client.post(drafted["Location"], {"step": "publish", "motion": passed.pk})
    assert published.status_code == 302

    text = page_text(Client().get(drafted["Location"]))
    assert "道路施工通知 Notice · Xiaozhai Party Branch Published" in text
    assert NOTICE in text
    assert "Approved by the motion: 关于村东道路硬化的决议 · 2024-03-05 · Passed (yes 2, no 1, abstain 0)" in text
    assert "Publish" not in text.replace("Published", "")
    listed = page_text(Client().get(reverse("elections:documents", args=[village.branch.pk])))
    assert "道路施工通知 · Notice Approved by: 关于村东道路硬化的决议 ( 2024-03-05 )" in listed
    motion_page = page_text(Client().get(passed.get_absolute_url()))
    assert "Documents approved by this motion 道路施工通知 · Notice" in motion_page


def test_without_a_passed_motion_the_page_says_a_document_cannot_be_published(client: Client, village: Village) -> None:
    motion_of(village, passes=False)
    document = notice(village)
    sign_in(client, village.committee)

    text = page_text(client.get(reverse("elections:document", args=[document.pk])))

    assert "No motion of this organisation has passed yet: a document is published only with the passed motion that approved it." in text


def test_the_draft_is_edited_in_the_browser(client: Client, village: Village) -> None:
    document = notice(village)
    sign_in(client, village.committee)

    response = client.post(
        reverse("elections:document", args=[document.pk]),
        {"step": "edit", "kind": "report_up", "title": "关于道路硬化的报告", "body": "报告镇党委。"},
    )

    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.kind, document.title, document.body) == ("report_up", "关于道路硬化的报告", "报告镇党委。")


def test_drafts_are_hidden_and_outsiders_change_nothing(client: Client, village: Village) -> None:
    passed = motion_of(village, passes=True)
    document = notice(village)
    events = AuditEvent.objects.count()
    sign_in(client, village.account("member01"))

    listed = page_text(client.get(reverse("elections:documents", args=[village.branch.pk])))
    drafted = client.post(reverse("elections:documents", args=[village.branch.pk]), {"kind": "notice", "title": "通知", "body": "内容"})
    seen = client.get(reverse("elections:document", args=[document.pk]))
    published = client.post(reverse("elections:document", args=[document.pk]), {"step": "publish", "motion": passed.pk})

    assert "道路施工通知" not in listed and "Draft a document" not in listed
    assert [drafted.status_code, seen.status_code, published.status_code] == [403, 404, 404]
    assert Document.objects.count() == 1
    assert Document.objects.get().status == "draft"
    assert AuditEvent.objects.count() == events


def test_the_documents_list_costs_the_same_whatever_its_length(
    client: Client, village: Village, django_assert_max_num_queries: Any
) -> None:
    motion = motion_of(village, passes=True)
    for number in range(12):
        document = draft_document(actor=village.committee, organisation=village.branch, kind="notice", title=f"通知{number:02d}", body=NOTICE)
        publish_document(actor=village.committee, document=document, motion=motion)

    with django_assert_max_num_queries(6):
        response = client.get(reverse("elections:documents", args=[village.branch.pk]))

    assert page_text(response).count("Approved by: 关于村东道路硬化的决议") == 12
