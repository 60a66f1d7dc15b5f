"""The duty pages as people read them: the pool, planning, the rota, replacing a volunteer,
a volunteer's days and "my duty weeks"; who may see and do what, and nothing changed on denial."""

from __future__ import annotations

import datetime

import pytest

from tests.duty.conftest import MONDAY, fill_pool, violations
from tests.helpers import admin_of, organisation, page_text, sign_in
from tongxin.community.models import Organisation
from tongxin.core.models import AuditEvent
from tongxin.duty.actions.rota import candidates_for, plan_rota, publish_rota, set_unavailable
from tongxin.duty.models import DutyGap, DutyTurn, Rota, RotaStatus, Unavailability, Volunteer

EN = {"accept-language": "en"}


def quarter(town, **settings):
    return plan_rota(actor=town.admin, organisation=town.town, **({"start": MONDAY, "weeks": 13} | settings))


def _rows():
    return (Volunteer.objects.count(), Unavailability.objects.count(), Rota.objects.count(),
            DutyTurn.objects.count(), AuditEvent.objects.count())


# The pool ------------------------------------------------------------------------------------


def test_the_admin_sees_the_pool_with_its_counts(client, town):
    soon = datetime.date.today() + datetime.timedelta(days=3)
    set_unavailable(actor=town.admin, volunteer=town.volunteer("vol02"), date=soon)
    sign_in(client, town.admin)
    text = page_text(client.get(f"/organisations/{town.town.pk}/duty/", headers=EN))
    assert "Duty volunteers of Tongxin Town" in text
    assert "In the pool 24 Experienced 6 Villages and communities 3 Left the pool 0" in text
    assert f"志愿者002 West Village new 0 {soon:%b}" in text  # the day they cannot serve, as "Nov. 28, 2026"
    assert "志愿者001 East Village yes 0" in text


def test_the_admin_adds_a_volunteer_on_the_page(client, town):
    sign_in(client, town.admin)
    response = client.post(
        f"/organisations/{town.town.pk}/duty/",
        {"person": town.resident.pk, "experienced": "on", "preferences": "周一不便", "joined_on": "2026-11-01"},
    )
    assert response.status_code == 302
    volunteer = Volunteer.objects.get(person=town.resident)
    assert (volunteer.home_village, volunteer.experienced, volunteer.preferences) == (town.village("东村"), True, "周一不便")
    text = page_text(client.get(f"/organisations/{town.town.pk}/duty/", headers=EN))
    assert "东村居民 is in the pool." in text
    assert "In the pool 25" in text


def test_a_home_village_the_organisation_does_not_have_is_a_form_error(client, town):
    sign_in(client, town.admin)
    response = client.post(
        f"/organisations/{town.town.pk}/duty/", {"person": town.resident.pk, "home_village": town.committee.pk}, headers=EN
    )
    assert response.status_code == 200
    assert "Select a valid choice." in page_text(response)
    assert not Volunteer.objects.filter(person=town.resident).exists()


def test_the_pool_page_costs_the_same_for_a_bigger_pool(client, town, django_assert_max_num_queries):
    sign_in(client, town.admin)
    client.get(f"/organisations/{town.town.pk}/duty/")
    with django_assert_max_num_queries(16):
        assert client.get(f"/organisations/{town.town.pk}/duty/").status_code == 200
    fill_pool(town.town, town.villages, town.admin, 40, prefix="more")
    with django_assert_max_num_queries(16):
        assert client.get(f"/organisations/{town.town.pk}/duty/").status_code == 200


@pytest.mark.parametrize("who", ["anonymous", "vol01", "resident", "other_admin"])
def test_only_the_admin_opens_the_pool_or_plans_and_nothing_changes_otherwise(client, town, who):
    if who == "other_admin":
        sign_in(client, town.other_admin)
    elif who != "anonymous":
        sign_in(client, town.account(who) if who.startswith("vol") else town.resident.user)
    rota = quarter(town, weeks=2)
    before = _rows()
    denied = (302, 403) if who == "anonymous" else (403,)
    assert client.get(f"/organisations/{town.town.pk}/duty/").status_code in denied
    assert client.post(f"/organisations/{town.town.pk}/duty/", {"person": town.resident.pk}).status_code in denied
    assert client.get(f"/organisations/{town.town.pk}/duty/rotas/new/").status_code in denied
    plan = {"start": "2027-04-05", "weeks": "4", "team_size": "3", "troubleshooters": "1", "avoid_home_village": "on"}
    assert client.post(f"/organisations/{town.town.pk}/duty/rotas/new/", plan).status_code in denied
    assert client.post(f"/duty/rotas/{rota.pk}/publish/").status_code == 404  # a draft is not known to exist
    turn = DutyTurn.objects.filter(week__rota=rota).first()
    assert client.post(f"/duty/turns/{turn.pk}/replace/", {"volunteer": town.volunteer("vol24").pk}).status_code == 404
    assert client.post(f"/duty/volunteers/{town.volunteer('vol02').pk}/unavailable/", {"date": "2027-05-03"}).status_code in denied
    assert client.post(f"/duty/volunteers/{town.volunteer('vol02').pk}/retire/").status_code in denied
    assert _rows() == before
    assert Rota.objects.get().status == RotaStatus.DRAFT


# Planning and the rota -----------------------------------------------------------------------


def test_the_admin_plans_a_rota_on_the_page_and_publishes_it(client, town):
    sign_in(client, town.admin)
    form = page_text(client.get(f"/organisations/{town.town.pk}/duty/rotas/new/", headers=EN))
    assert "Tongxin Town: 24 volunteers in the pool, 3 villages and communities to staff." in form
    plan = {"start": "2027-01-04", "weeks": "13", "team_size": "3", "troubleshooters": "1", "avoid_home_village": "on"}
    response = client.post(f"/organisations/{town.town.pk}/duty/rotas/new/", plan)
    rota = Rota.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/duty/rotas/{rota.pk}/"
    assert violations(rota) == []
    text = page_text(client.get(f"/duty/rotas/{rota.pk}/", headers=EN))
    assert "Duty rota of Tongxin Town Jan. 4, 2027 to April 4, 2027 · Draft" in text
    assert "Week East Village West Village South Village Troubleshooters" in text
    assert "Week 13 · March 29, 2027" in text
    assert "130 turns among 24 volunteers, 5 to 6 each" in text
    assert "Empty seats none" in text
    assert "Publish the rota" in text and "Replace" in text
    response = client.post(f"/duty/rotas/{rota.pk}/publish/")
    assert response.status_code == 302
    rota.refresh_from_db()
    assert rota.status == RotaStatus.PUBLISHED
    text = page_text(client.get(f"/duty/rotas/{rota.pk}/", headers=EN))
    assert "The rota is published; every volunteer on it has been told their weeks." in text
    assert "Publish the rota" not in text


def test_a_bad_plan_is_a_form_error_and_nothing_is_saved(client, town):
    sign_in(client, town.admin)
    plan = {"start": "2027-01-04", "weeks": "600", "team_size": "3", "troubleshooters": "1"}
    response = client.post(f"/organisations/{town.town.pk}/duty/rotas/new/", plan, headers=EN)
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 520." in page_text(response)
    empty = organisation("空镇", "Empty Town", "town", town.city)
    sign_in(client, admin_of(empty, "empty_admin"))
    response = client.post(f"/organisations/{empty.pk}/duty/rotas/new/", plan | {"weeks": "4"}, headers=EN)
    assert "Empty Town has no villages or communities to send teams to." in page_text(response)
    assert Rota.objects.count() == 0


def test_a_draft_is_hidden_and_a_published_rota_is_public(client, town):
    rota = quarter(town, weeks=2)
    assert client.get(f"/duty/rotas/{rota.pk}/").status_code == 404
    assert "No rota yet." in page_text(client.get(f"/organisations/{town.town.pk}/duty/rotas/", headers=EN))
    publish_rota(actor=town.admin, rota=rota)
    text = page_text(client.get(f"/duty/rotas/{rota.pk}/", headers=EN))
    name = DutyTurn.objects.filter(week__rota=rota, village=town.village("南村")).first().volunteer.person.name
    assert name in text
    assert "Replace" not in text and "Publish the rota" not in text
    assert "Jan. 4, 2027 to Jan. 17, 2027 2 weeks · Published" in page_text(
        client.get(f"/organisations/{town.town.pk}/duty/rotas/", headers=EN)
    )


def test_the_rota_page_costs_the_same_for_a_longer_rota(client, town, django_assert_max_num_queries):
    sign_in(client, town.admin)
    short, long = quarter(town, weeks=2), quarter(town, start=MONDAY + datetime.timedelta(weeks=20), weeks=26)
    client.get(f"/duty/rotas/{short.pk}/")
    for rota in (short, long):
        with django_assert_max_num_queries(12):
            assert client.get(f"/duty/rotas/{rota.pk}/").status_code == 200


def test_gaps_are_highlighted_and_the_admin_fills_one(client, town):
    for name in [f"vol{n:02d}" for n in range(13, 25)]:
        Volunteer.objects.filter(pk=town.volunteer(name).pk).update(active=False)
    rota = quarter(town, weeks=3)
    sign_in(client, town.admin)
    response = client.get(f"/duty/rotas/{rota.pk}/", headers=EN)
    assert "seat empty" in page_text(response) or "seats empty" in page_text(response)
    assert 'class="has-gap"' in response.content.decode()
    gap = DutyGap.objects.filter(week__rota=rota).first()
    Volunteer.objects.filter(pk=town.volunteer("vol24").pk).update(active=True, home_village=None)
    page = page_text(client.get(f"/duty/gaps/{gap.pk}/fill/", headers=EN))
    assert "Fill an empty seat" in page and "志愿者024" in page
    response = client.post(f"/duty/gaps/{gap.pk}/fill/", {"volunteer": town.volunteer("vol24").pk})
    assert response.status_code == 302
    assert violations(rota) == []


def test_a_replacement_that_breaks_a_rule_is_shown_on_the_form(client, town):
    rota = quarter(town, weeks=3)
    sign_in(client, town.admin)
    turn = DutyTurn.objects.filter(week__rota=rota, week__number=2, village__isnull=False).select_related("village").first()
    neighbour = DutyTurn.objects.filter(week__rota=rota, week__number=1).first().volunteer
    response = client.post(f"/duty/turns/{turn.pk}/replace/", {"volunteer": neighbour.pk}, headers=EN)
    assert response.status_code == 200
    assert f"{neighbour.person.name} serves in the week before or after: nobody serves two weeks running." in page_text(response)
    assert DutyTurn.objects.get(pk=turn.pk).volunteer_id == turn.volunteer_id
    # Someone who joined after the plan is free that week: they are offered, and may take it.
    newcomer = Volunteer.objects.create(organisation=town.town, person=town.resident, joined_on=MONDAY)
    assert [c.volunteer for c in candidates_for(rota, turn.week, turn.village)] == [newcomer]
    assert "东村居民 · 0 turns" in page_text(client.get(f"/duty/turns/{turn.pk}/replace/", headers=EN))
    assert client.post(f"/duty/turns/{turn.pk}/replace/", {"volunteer": newcomer.pk}).status_code == 302
    text = page_text(client.get(f"/duty/rotas/{rota.pk}/", headers=EN))
    assert "东村居民 (changed)" in text
    assert violations(rota) == []


# A volunteer's own pages ---------------------------------------------------------------------


def test_a_volunteer_sees_their_duty_weeks_once_published(client, town):
    rota = quarter(town, start=datetime.date.today() + datetime.timedelta(days=7 - datetime.date.today().weekday()), weeks=4)
    turn = DutyTurn.objects.filter(week__rota=rota, week__number=1, village=town.village("西村")).select_related("volunteer__person__user").first()
    sign_in(client, turn.volunteer.person.user)
    assert "Weeks to come No turns." in page_text(client.get("/duty/me/", headers=EN))
    publish_rota(actor=town.admin, rota=rota)
    text = page_text(client.get("/duty/me/", headers=EN))
    assert "the team of West Village" in text
    assert "Mark the days you cannot serve for Tongxin Town" in text


def test_a_volunteer_marks_a_day_and_cannot_touch_another_s(client, town):
    sign_in(client, town.account("vol03"))
    me, other = town.volunteer("vol03"), town.volunteer("vol04")
    response = client.post(f"/duty/volunteers/{me.pk}/unavailable/", {"date": "2027-02-10", "reason": "外出"})
    assert response.status_code == 302
    text = page_text(client.get(f"/duty/volunteers/{me.pk}/", headers=EN))
    assert "Noted: you will not be planned in that week." in text
    assert "Feb. 10, 2027 外出" in text
    assert "Change the details" not in text  # a volunteer does not edit their own record
    before = _rows()
    assert client.get(f"/duty/volunteers/{other.pk}/").status_code == 403
    assert client.post(f"/duty/volunteers/{other.pk}/unavailable/", {"date": "2027-02-10"}).status_code == 403
    assert client.post(f"/duty/volunteers/{me.pk}/edit/", {"experienced": "on"}).status_code == 403
    assert _rows() == before
    client.post(f"/duty/volunteers/{me.pk}/unavailable/clear/", {"date": "2027-02-10"})
    assert not Unavailability.objects.exists()


def test_a_day_in_a_week_on_duty_is_refused_on_the_form(client, town):
    rota = quarter(town, weeks=1)
    turn = DutyTurn.objects.filter(week__rota=rota).select_related("volunteer__person__user").first()
    sign_in(client, turn.volunteer.person.user)
    response = client.post(f"/duty/volunteers/{turn.volunteer.pk}/unavailable/", {"date": "2027-01-06"}, headers=EN)
    assert response.status_code == 200
    assert "is on duty in the week of Jan. 4, 2027. Ask the organisation to find a replacement first." in page_text(response)


# The organisation's page ---------------------------------------------------------------------


def test_the_town_page_links_the_pool_for_its_admin_and_the_rota_for_everyone(client, town):
    assert "Duty rota" not in page_text(client.get(town.town.get_absolute_url(), headers=EN))
    rota = quarter(town, weeks=2)
    sign_in(client, town.admin)
    text = page_text(client.get(town.town.get_absolute_url(), headers=EN))
    assert "Duty rota Jan. 4, 2027 to Jan. 17, 2027 Draft All rotas · Volunteers · Plan a rota" in text
    client.logout()
    publish_rota(actor=town.admin, rota=rota)
    text = page_text(client.get(town.town.get_absolute_url(), headers=EN))
    assert "Duty rota Jan. 4, 2027 to Jan. 17, 2027 All rotas" in text
    assert "Plan a rota" not in text


def test_the_pages_read_in_chinese(client, town):
    rota = quarter(town, weeks=2)
    sign_in(client, town.admin)
    response = client.get(f"/duty/rotas/{rota.pk}/", headers={"accept-language": "zh-hans"})
    assert response.status_code == 200
    assert "东村" in page_text(response)


def test_a_published_rota_is_changed_by_its_admin_only(client, town):
    rota = quarter(town, weeks=2)
    publish_rota(actor=town.admin, rota=rota)
    turn = DutyTurn.objects.filter(week__rota=rota, week__number=2).first()
    newcomer = Volunteer.objects.create(organisation=town.town, person=town.resident, joined_on=MONDAY)
    for account in (town.account("vol01"), town.other_admin):
        sign_in(client, account)
        before = _rows()
        assert client.get(f"/duty/turns/{turn.pk}/replace/").status_code == 403
        assert client.post(f"/duty/turns/{turn.pk}/replace/", {"volunteer": newcomer.pk}).status_code == 403
        assert client.post(f"/duty/rotas/{rota.pk}/discard/").status_code == 403
        assert _rows() == before
    assert DutyTurn.objects.get(pk=turn.pk).volunteer_id == turn.volunteer_id


def test_the_lists_cost_the_same_however_long(client, town, django_assert_max_num_queries):
    for weeks in (2, 13):
        rota = quarter(town, start=MONDAY + datetime.timedelta(weeks=20 * weeks), weeks=weeks)
        publish_rota(actor=town.admin, rota=rota)
    sign_in(client, town.account("vol05"))
    client.get("/duty/me/")
    with django_assert_max_num_queries(10):
        assert client.get("/duty/me/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(f"/organisations/{town.town.pk}/duty/rotas/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(f"/duty/volunteers/{town.volunteer('vol05').pk}/").status_code == 200


def test_the_admin_finds_a_person_to_add_by_name_or_phone(client, town):
    from tongxin.community.actions import add_person

    newcomer = add_person(actor=town.admin, name="李大伯", gender="male", home=town.village("西村"), birth_year=1955)
    newcomer.phone = "13800001111"
    newcomer.save(update_fields=["phone"])
    add_person(actor=town.other_admin, name="李二伯", gender="male", home=Organisation.objects.get(name="远山村"), birth_year=1956)
    sign_in(client, town.admin)
    url = f"/organisations/{town.town.pk}/duty/"

    untouched = client.get(url, headers=EN).content.decode()
    assert '<option value="" selected>Search for them first</option>' in untouched
    assert "李大伯" not in untouched
    for search in ("李", "13800001111"):
        found = client.get(url, {"person": search}, headers=EN).content.decode()
        assert "Found: 1" in found
        assert f'<option value="{newcomer.pk}">李大伯 · West Village</option>' in found
        assert "李二伯" not in found  # another town's villager
    assert "Found: 0" in client.get(url, {"person": "志愿者001"}, headers=EN).content.decode()  # in the pool already

    response = client.post(f"{url}?person=李", {"person": newcomer.pk, "joined_on": "2026-11-01"}, headers=EN)
    assert response.status_code == 302
    assert Volunteer.objects.get(person=newcomer).home_village == town.village("西村")
