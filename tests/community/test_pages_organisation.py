"""The public organisation page: names, place, bodies, members by role, composition, and who sees personal data."""

import datetime

import pytest

from tests.factories import SectorFactory
from tests.helpers import JAN_1, SYSTEM, admin_of, make_account, organisation, page_text, sign_in
from tongxin.community.actions import add_membership, add_person, end_membership
from tongxin.community.models import Organisation, Person, StaffRole
from tongxin.community.reports import composition_report

SECRETARY_PHONE = "13800000001"


@pytest.fixture
def branch(village) -> Organisation:
    return organisation("小寨村党支部", "Xiaozhai Party Branch", "party_branch", village, formation="elected")


@pytest.fixture
def secretary(village, branch, council) -> Person:
    """Secretary of the branch and chair of the council: a full party member with a phone."""
    person = add_person(
        actor=SYSTEM, name="王建国", gender="male", home=village, party_status="full", birth_year=1961, phone=SECRETARY_PHONE
    )
    add_membership(
        actor=SYSTEM, person=person, organisation=branch, role="secretary", obtained="elected",
        obtained_from=branch, start_date=JAN_1, term_end=datetime.date(2029, 1, 1),
    )
    add_membership(actor=SYSTEM, person=person, organisation=council, role="chair", obtained="ex_officio", start_date=JAN_1)
    return person


@pytest.fixture
def members(village, council, secretary) -> list[Person]:
    veterans = SectorFactory(code="veteran-cadres", name="老干部", name_en="Veteran cadres")
    people = [
        add_person(actor=SYSTEM, name=name, gender=gender, home=village, phone=f"1390000000{index}")
        for index, (name, gender) in enumerate([("李秀英", "female"), ("刘芳", "female"), ("张伟", "male")])
    ]
    for person in people:
        add_membership(
            actor=SYSTEM, person=person, organisation=council, obtained="elected", obtained_from=village,
            sector=veterans, start_date=JAN_1, term_end=datetime.date(2027, 1, 1),
        )
    return people


def test_a_village_page_shows_both_names_its_place_and_its_bodies_by_kind(client, town, village, branch, council):
    office = organisation("议事会办公室", "Council Office", "council_office", council, formation="appointed", approved_by=council)
    organisation("第一网格", "Grid One", "grid", village)
    response = client.get(village.get_absolute_url())
    text = page_text(response)
    assert response.status_code == 200
    assert "<h1>Xiaozhai Village</h1>" in response.content.decode()
    assert '<p class="other-name" lang="zh-Hans">小寨村</p>' in response.content.decode()
    assert (
        "Linhai City Tongxin Town Xiaozhai Village 小寨村 Village Part of Tongxin Town "
        "Residents' cases Public board Places in it Grid One Bodies in"
    ) in text
    assert "Places in it Grid One" in text
    assert (
        "Bodies in Xiaozhai Village Party branch Xiaozhai Party Branch Consultation council Xiaozhai Council "
        "Council office Council Office"
    ) in text
    assert office.parent == council


def test_a_body_page_shows_its_place_parent_and_what_it_answers_to(client, village, council):
    office = organisation("议事会办公室", "Council Office", "council_office", council, formation="appointed", approved_by=council)
    text = page_text(client.get(office.get_absolute_url()))
    assert "Council Office 议事会办公室 Council office" in text
    assert "Place Xiaozhai Village Part of Xiaozhai Council Formed Appointed Answers to Xiaozhai Council" in text
    council_text = page_text(client.get(council.get_absolute_url()))
    assert "Its groups and offices Council Office Council office" in council_text
    assert "Groups that answer to it Council Office Council office" in council_text


def test_the_page_reads_in_chinese_with_the_english_name_beside(client, village):
    client.cookies["django_language"] = "zh-hans"
    content = client.get(village.get_absolute_url()).content.decode()
    assert "<h1>小寨村</h1>" in content
    assert '<p class="other-name" lang="en">Xiaozhai Village</p>' in content


def test_members_are_grouped_by_role_with_sector_how_obtained_and_term(client, council, members):
    text = page_text(client.get(council.get_absolute_url()))
    assert "4 members: 1 in the party, 3 not in the party; 2 women, 2 men." in text
    # The role heads each group of rows; the columns say the rest.
    assert "Name Sector represented How obtained Term Chair 王建国 — Because of their post since Jan. 1, 2024" in text
    assert (
        "Member 李秀英 Veteran cadres Elected by Xiaozhai Village Jan. 1, 2024 to Jan. 1, 2027 "
        "刘芳 Veteran cadres Elected by Xiaozhai Village Jan. 1, 2024 to Jan. 1, 2027 "
        "张伟 Veteran cadres Elected by Xiaozhai Village Jan. 1, 2024 to Jan. 1, 2027 Composition"
    ) in text


def test_the_composition_report_lists_every_rule_and_marks_failures_in_words(client, council, members):
    report = composition_report(council)
    response = client.get(council.get_absolute_url())
    text = page_text(response)
    assert f"Composition Checked against: {report.rule_set_label}." in text
    failures = len(report.violations)
    assert f"✗ {failures} rules are not met." in text
    for finding in report.findings:
        if finding.ok:
            assert f"✓ Met: {finding.message}" in text
        elif finding.severity == "warning":
            assert f"⚠ Not met (advice): {finding.message}" in text
        else:
            assert f"✗ Not met: {finding.message}" in text
    assert "✗ Not met: There must be at least 20 members: there are 4." in text
    assert 'class="finding fail error"' in response.content.decode()


def test_past_members_sit_in_a_closed_details_section(client, council, members):
    leaving = members[0].memberships.get(organisation=council)
    end_membership(actor=SYSTEM, membership=leaving, end_date=datetime.date(2024, 6, 30), reason="Moved away")
    response = client.get(council.get_absolute_url())
    content = response.content.decode()
    assert '<details class="past">' in content and "<details class=\"past\" open" not in content
    past = page_text(response).split("1 past member", 1)[1]
    assert past.startswith(" Name Role Term Reason for leaving 李秀英 Member Jan. 1, 2024 to June 30, 2024 Moved away")
    assert "3 members:" in page_text(response)


def test_personal_data_is_shown_to_an_admin_in_scope(client, village, council, members, secretary):
    sign_in(client, admin_of(village, "xiaozhai.admin"))
    text = page_text(client.get(council.get_absolute_url()))
    assert "Mobile phone Born Party status" in text
    assert f"王建国 — Because of their post since Jan. 1, 2024 {SECRETARY_PHONE} 1961 Full party member" in text
    assert "Manage Edit this organisation Add a member Add a body or place under it Staff roles" in text


@pytest.mark.parametrize("reader", ["anonymous", "sibling admin", "handler", "resident"])
def test_personal_data_is_hidden_from_everyone_else(client, town, village, council, members, secretary, reader):
    if reader == "sibling admin":
        sign_in(client, admin_of(organisation("大田村", "Datian Village", "village", town), "datian.admin"))
    elif reader == "handler":
        sign_in(client, admin_of(village, "handler", StaffRole.HANDLER))
    elif reader == "resident":
        sign_in(client, make_account("resident"))
    response = client.get(council.get_absolute_url())
    content = response.content.decode()
    assert response.status_code == 200
    assert SECRETARY_PHONE not in content
    assert "1961" not in content and "Full party member" not in content
    assert "Mobile phone" not in content
    assert "Edit this organisation" not in content
    # The counts stay public.
    assert "4 members: 1 in the party, 3 not in the party; 2 women, 2 men." in page_text(response)


def test_a_member_reading_the_page_sees_only_their_own_personal_data(client, council, members, secretary):
    account = make_account("wang.jianguo")
    Person.objects.filter(pk=secretary.pk).update(user=account)
    sign_in(client, account)
    content = client.get(council.get_absolute_url()).content.decode()
    assert SECRETARY_PHONE in content
    assert "13900000000" not in content
    assert content.count("Not shown to you") == 3


def test_the_page_reads_a_large_council_in_few_queries(client, village, council, secretary, django_assert_max_num_queries):
    for index in range(40):
        person = add_person(actor=SYSTEM, name=f"成员{index}", gender="female", home=village)
        add_membership(actor=SYSTEM, person=person, organisation=council, obtained="ex_officio", start_date=JAN_1)
    sign_in(client, admin_of(village, "xiaozhai.admin"))
    with django_assert_max_num_queries(17):  # 15, and one each for its elections and its decisions
        response = client.get(council.get_absolute_url())
    assert "41 members:" in page_text(response)


def test_an_unknown_organisation_is_not_found(client, db):
    assert client.get("/organisations/999999/").status_code == 404


def test_each_count_takes_its_own_plural(client, village, council):
    woman = add_person(actor=SYSTEM, name="李秀英", gender="female", home=village, party_status="full")
    add_membership(actor=SYSTEM, person=woman, organisation=council, obtained="joined", start_date=JAN_1)
    assert "1 member: 1 in the party, 0 not in the party; 1 woman, 0 men." in page_text(client.get(council.get_absolute_url()))
    man = add_person(actor=SYSTEM, name="张伟", gender="male", home=village)
    add_membership(actor=SYSTEM, person=man, organisation=council, obtained="joined", start_date=JAN_1)
    assert "2 members: 1 in the party, 1 not in the party; 1 woman, 1 man." in page_text(client.get(council.get_absolute_url()))


def test_how_a_seat_was_obtained_reads_as_one_phrase(client, village, branch, council):
    def seat(name: str, obtained: str, by: Organisation | None) -> None:
        person = add_person(actor=SYSTEM, name=name, gender="male", home=village)
        add_membership(
            actor=SYSTEM, person=person, organisation=council, obtained=obtained, obtained_from=by, start_date=JAN_1
        )

    seat("赵一", "ex_officio", branch)
    seat("钱二", "ex_officio", None)
    seat("孙三", "appointed", branch)
    seat("李四", "co_opted", council)
    seat("周五", "joined", None)
    text = page_text(client.get(council.get_absolute_url()))
    assert (
        "Member 赵一 Because of their post in Xiaozhai Party Branch since Jan. 1, 2024 "
        "钱二 Because of their post since Jan. 1, 2024 "
        "孙三 Appointed by Xiaozhai Party Branch since Jan. 1, 2024 "
        "李四 Co-opted by Xiaozhai Council since Jan. 1, 2024 "
        "周五 Joined since Jan. 1, 2024 Composition"
    ) in text
    assert "By office" not in text


def test_a_body_whose_members_represent_no_sector_has_no_sector_column(client, branch, secretary):
    text = page_text(client.get(branch.get_absolute_url()))
    assert "Name How obtained Term Secretary 王建国 Elected by Xiaozhai Party Branch Jan. 1, 2024 to Jan. 1, 2029" in text
    assert "Sector represented" not in text


def test_a_name_kept_only_in_chinese_is_marked_as_chinese_on_the_english_page(client, council, members, secretary):
    content = client.get(council.get_absolute_url()).content.decode()
    assert f'<a href="{secretary.get_absolute_url()}" lang="zh-Hans">王建国</a>' in content
    client.cookies["django_language"] = "zh-hans"
    content = client.get(council.get_absolute_url()).content.decode()
    assert f'<a href="{secretary.get_absolute_url()}">王建国</a>' in content


def test_dates_read_as_chinese_dates_on_the_chinese_page(client, council, members):
    client.cookies["django_language"] = "zh-hans"
    content = client.get(council.get_absolute_url()).content.decode()
    assert "2024年1月1日" in content and "2027年1月1日" in content
    assert "Jan. 1, 2024" not in content


def test_each_finding_says_what_is_needed_and_what_was_found(client, council, members):
    text = page_text(client.get(council.get_absolute_url()))
    assert (
        "✗ Not met: There must be at least 20 members: there are 4. Needed: at least 20 · Found: 4 "
        "✓ Met: There may be at most 50 members: there are 4. Needed: at most 50 · Found: 4"
    ) in text
    assert "✓ Met: There must be a chair: 王建国. Needed: a chair · Found: 王建国" in text
    assert "✗ Not met: It must have a council office, but none is recorded. Needed: a council office · Found: none" in text


def test_the_facts_say_at_once_whether_the_composition_rules_are_met(client, council, members):
    text = page_text(client.get(council.get_absolute_url()))
    failures = len(composition_report(council).violations)
    assert f"Part of Xiaozhai Village Topics Topics raised to the council Composition ✗ {failures} rules are not met." in text
    content = client.get(council.get_absolute_url()).content.decode()
    assert '<a class="verdict-link fail" href="#composition-title">' in content
    office = organisation("议事会办公室", "Council Office", "council_office", council)
    assert "Composition" not in page_text(client.get(office.get_absolute_url()))
