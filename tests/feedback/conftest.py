"""The feedback tests' town: Tongxin Town with Xiaozhai and Datian villages, their offices and
workgroups, handlers, a duty officer, a supervisor, an admin, and a way to file cases.

    city (临海市) └ town (同心镇) ├ town government (同心镇政府)
                                 ├ xiaozhai (小寨村) ├ village committee (小寨村村委会)
                                 │                  ├ council (小寨村议事会)
                                 │                  ├ sanitation workgroup (环境卫生组)
                                 │                  └ grid (第一网格)
                                 └ datian (大田村) └ village committee (大田村村委会)

Routing: sanitation cases in Xiaozhai go to its sanitation workgroup; everything else goes to
the place's office (the village committee). Accounts: `handler` (HANDLER over the sanitation
workgroup), `office_handler` (HANDLER over Xiaozhai's committee), `town_handler` (HANDLER over
the town government), `datian_handler`, `duty_officer` (DUTY_OFFICER over Xiaozhai),
`supervisor` (SUPERVISOR over the town), `admin` (ADMIN over the town), `resident` (no role).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.utils import translation

from django.contrib.auth.models import AnonymousUser

from tests.helpers import admin_of, make_account, organisation
from tongxin.community.models import Organisation, StaffRole
from tongxin.feedback.actions import submit_case
from tongxin.feedback.models import Case, Category, Channel, Privacy, RoutingRule


@pytest.fixture
def seeded_categories(transactional_db) -> None:
    """For tests against a live server: a transactional test empties every table afterwards,
    the categories that migration feedback 0003 seeds included, so seed them again."""
    importlib.import_module("tongxin.feedback.migrations.0003_default_categories").seed_categories(apps, None)


@pytest.fixture
def in_english():
    with translation.override("en"):
        yield


@dataclass
class FeedbackTown:
    city: Organisation
    town: Organisation
    town_government: Organisation
    xiaozhai: Organisation
    xiaozhai_office: Organisation
    council: Organisation
    sanitation: Organisation
    grid: Organisation
    datian: Organisation
    datian_office: Organisation
    handler: Any
    office_handler: Any
    town_handler: Any
    datian_handler: Any
    duty_officer: Any
    supervisor: Any
    admin: Any
    resident: Any

    def category(self, code: str) -> Category:
        return Category.objects.get(code=code)


@pytest.fixture
def feedback_town(db) -> FeedbackTown:
    city = organisation("临海市", "Linhai City", "city", None)
    town = organisation("同心镇", "Tongxin Town", "town", city)
    town_government = organisation("同心镇政府", "Tongxin Town Government", "government", town)
    xiaozhai = organisation("小寨村", "Xiaozhai Village", "village", town)
    xiaozhai_office = organisation("小寨村村委会", "Xiaozhai Village Committee", "village_committee", xiaozhai)
    council = organisation("小寨村议事会", "Xiaozhai Council", "consultation_council", xiaozhai)
    sanitation = organisation("环境卫生组", "Sanitation Workgroup", "workgroup", xiaozhai)
    grid = organisation("第一网格", "First Grid", "grid", xiaozhai)
    datian = organisation("大田村", "Datian Village", "village", town)
    datian_office = organisation("大田村村委会", "Datian Village Committee", "village_committee", datian)
    RoutingRule.objects.create(organisation=xiaozhai, category=Category.objects.get(code="sanitation"), workgroup=sanitation)
    return FeedbackTown(
        city=city,
        town=town,
        town_government=town_government,
        xiaozhai=xiaozhai,
        xiaozhai_office=xiaozhai_office,
        council=council,
        sanitation=sanitation,
        grid=grid,
        datian=datian,
        datian_office=datian_office,
        handler=admin_of(sanitation, "handler", StaffRole.HANDLER),
        office_handler=admin_of(xiaozhai_office, "office_handler", StaffRole.HANDLER),
        town_handler=admin_of(town_government, "town_handler", StaffRole.HANDLER),
        datian_handler=admin_of(datian_office, "datian_handler", StaffRole.HANDLER),
        duty_officer=admin_of(xiaozhai, "duty_officer", StaffRole.DUTY_OFFICER),
        supervisor=admin_of(town, "supervisor", StaffRole.SUPERVISOR),
        admin=admin_of(town, "admin", StaffRole.ADMIN),
        resident=make_account("resident", email="resident@example.org"),
    )


def file_case(
    town: FeedbackTown,
    *,
    category: str = "sanitation",
    description: str = "垃圾桶满了没人清理",
    privacy: str = Privacy.PUBLIC,
    channel: str = Channel.WEB,
    actor: Any = None,
    place: Organisation | None = None,
    **fields: Any,
) -> Case:
    """A case as a resident files it on the website (public name "王芳" unless anonymous)."""
    if privacy != Privacy.ANONYMOUS:
        fields.setdefault("reporter_name", "王芳")
    return submit_case(
        actor=actor if actor is not None else AnonymousUser(),
        channel=channel,
        category=town.category(category),
        description=description,
        organisation=place or town.xiaozhai,
        privacy=privacy,
        **fields,
    )


@pytest.fixture
def new_case(feedback_town) -> Case:
    """A sanitation case in Xiaozhai, name public, with an email address: in the sanitation workgroup's hands."""
    return file_case(feedback_town, reporter_email="wangfang@example.org")
