"""A resident signs in with their phone number, reads their page in both languages and opens
their council."""

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD, PersonFactory, SectorFactory, UserFactory
from tongxin.community.actions import add_membership, add_person, create_organisation
from tongxin.community.models import (
    Formation,
    Gender,
    Obtained,
    Organisation,
    OrganisationKind,
    PartyStatus,
    Role,
)
from tongxin.community.reports import composition_report
from tongxin.core.actors import SystemActor
from tongxin.core.models import AuditEvent

pytestmark = pytest.mark.e2e

SYSTEM = SystemActor("e2e")


def dongcheng_council() -> tuple[Organisation, Organisation]:
    """A village consultation council, chaired by the party secretary, and the party branch."""
    town = create_organisation(
        actor=SYSTEM, name="临海镇", name_en="Linhai Town", kind=OrganisationKind.TOWN, parent=None
    )
    village = create_organisation(
        actor=SYSTEM,
        name="东塍村",
        name_en="Dongcheng Village",
        kind=OrganisationKind.VILLAGE,
        parent=town,
    )
    branch = create_organisation(
        actor=SYSTEM,
        name="东塍村党支部",
        name_en="Dongcheng Village Party Branch",
        kind=OrganisationKind.PARTY_BRANCH,
        parent=village,
        formation=Formation.ELECTED,
    )
    council = create_organisation(
        actor=SYSTEM,
        name="东塍村民主协商议事会",
        name_en="Dongcheng Village Consultation Council",
        kind=OrganisationKind.CONSULTATION_COUNCIL,
        parent=village,
        formation=Formation.CONSTITUTED,
    )
    secretary = add_person(
        actor=SYSTEM,
        name="陈建国",
        name_latin="Chen Jianguo",
        gender=Gender.MALE,
        party_status=PartyStatus.FULL,
        birth_year=1971,
        home=village,
    )
    add_membership(
        actor=SYSTEM,
        person=secretary,
        organisation=council,
        role=Role.CHAIR,
        obtained=Obtained.EX_OFFICIO,
        obtained_from=branch,
    )
    return council, branch


def test_resident_signs_in_with_phone_and_browses(
    page: Page, screenshot: Callable[[str], Path]
) -> None:
    council, branch = dongcheng_council()
    account = UserFactory(username="li.xiuying", password=PASSWORD)
    # No action links a person to an account yet: the factory stands in for the office.
    resident = PersonFactory(
        name="李秀英",
        name_latin="Li Xiuying",
        gender=Gender.FEMALE,
        phone="13800138000",
        home=council.parent,
        user=account,
    )
    add_membership(
        actor=SYSTEM,
        person=resident,
        organisation=council,
        obtained=Obtained.APPOINTED,
        obtained_from=branch,
        sector=SectorFactory(
            code="seniors", name="老年协会", name_en="Senior citizens' association"
        ),
    )
    main = page.locator("main")

    page.goto(reverse("home"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in").click()
    page.get_by_label("Username or mobile phone").fill("138 0013 8000")
    page.get_by_label("Password").fill(PASSWORD)
    screenshot("sign-in")
    page.get_by_role("button", name="Sign in").click()

    # A resident holds no staff role, so no second factor is asked for.
    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:me")) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My page")
    expect(main).to_contain_text("Signed in as li.xiuying.")
    expect(main).to_contain_text("Li Xiuying")
    expect(main).to_contain_text("•••••••8000")
    expect(main.get_by_role("link", name="Dongcheng Village Consultation Council")).to_be_visible()
    assert AuditEvent.objects.get(verb="account.sign_in").data == {"via": "phone"}
    screenshot("my-page")

    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(main).to_contain_text("李秀英")
    expect(main.get_by_role("link", name="东塍村民主协商议事会")).to_be_visible()
    screenshot("my-page-zh")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("My page")

    main.get_by_role("link", name="Dongcheng Village Consultation Council").click()
    expect(page).to_have_url(re.compile(re.escape(council.get_absolute_url()) + "$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Dongcheng Village Consultation Council"
    )
    with translation.override("en"):
        report = composition_report(council)
    assert report is not None and not report.ok  # two members: far below a village council's 20
    expect(main).to_contain_text(report.rule_set_label)
    for finding in report.findings:
        expect(main).to_contain_text(finding.message)
    screenshot("organisation")

    page.get_by_role("button", name="中文").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("东塍村民主协商议事会")
    screenshot("organisation-zh")
