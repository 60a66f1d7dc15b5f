"""Notifications: one entry per active account in the in-app list, and an email after commit."""

from django.core import mail
from django.db import transaction

from tests.helpers import make_account
from tongxin.core.models import Notification
from tongxin.core.notify import absolute_url, notify


def test_each_active_account_gets_one_entry_and_those_with_an_address_an_email(
    db, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://tongxin.example.org"
    li, wang, gone = (
        make_account("li", email="li@example.org"),
        make_account("wang"),
        make_account("gone", email="gone@example.org", is_active=False),
    )

    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[li, wang, li, gone, None], subject="Case 7K3M-9QPA is yours", body="Please look.", url="/cases/7K3M-9QPA/")

    assert sorted(Notification.objects.values_list("user__username", "subject", "url", "read_at")) == [
        ("li", "Case 7K3M-9QPA is yours", "/cases/7K3M-9QPA/", None),
        ("wang", "Case 7K3M-9QPA is yours", "/cases/7K3M-9QPA/", None),
    ]
    [email] = mail.outbox
    assert email.to == ["li@example.org"]
    assert email.subject == "[Tongxin] Case 7K3M-9QPA is yours"
    assert email.body == "Please look.\n\nhttps://tongxin.example.org/cases/7K3M-9QPA/"


def test_no_email_leaves_when_the_action_is_rolled_back(db, django_capture_on_commit_callbacks):
    li = make_account("li", email="li@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                notify(users=[li], subject="Never sent", body="")
                raise RuntimeError("the action failed")
        except RuntimeError:
            pass

    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_links_in_emails_are_absolute(settings):
    settings.SITE_URL = "https://tongxin.example.org"
    assert absolute_url("/track/7K3M-9QPA/") == "https://tongxin.example.org/track/7K3M-9QPA/"
    assert absolute_url("https://elsewhere.example.org/x") == "https://elsewhere.example.org/x"
