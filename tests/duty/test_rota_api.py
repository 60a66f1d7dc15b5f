"""The duty API: the pool, planning, a rota, replacing a volunteer and publishing; who may,
and nothing changed when they may not."""

from __future__ import annotations

import pytest

from tests.duty.conftest import MONDAY, fill_pool, violations
from tests.helpers import sign_in
from tongxin.core.models import AuditEvent, Notification
from tongxin.duty.actions.rota import plan_rota, publish_rota
from tongxin.duty.models import DutyTurn, Rota, RotaStatus, Volunteer

EN = {"accept-language": "en"}
JSON = "application/json"


def _rows():
    return Volunteer.objects.count(), Rota.objects.count(), DutyTurn.objects.count(), AuditEvent.objects.count()


def test_the_admin_lists_and_adds_volunteers(client, town, django_assert_max_num_queries):
    sign_in(client, town.admin)
    url = f"/api/v1/organisations/{town.town.pk}/duty/volunteers"
    with django_assert_max_num_queries(8):
        page = client.get(url).json()
    assert page["count"] == 24
    assert page["items"][0] == {
        "id": town.volunteer("vol01").pk, "person": town.volunteer("vol01").person_id, "name": "志愿者001",
        "home_village": town.village("东村").pk, "experienced": True, "preferences": "", "joined_on": "2026-01-01",
        "active": True,
    }
    fill_pool(town.town, town.villages, town.admin, 30, prefix="more")
    with django_assert_max_num_queries(8):
        assert client.get(url + "?limit=200").json()["count"] == 54
    response = client.post(url, {"person": town.resident.pk, "preferences": "周末"}, content_type=JSON)
    assert response.status_code == 201
    assert (response.json()["home_village"], response.json()["preferences"]) == (town.village("东村").pk, "周末")
    again = client.post(url, {"person": town.resident.pk}, content_type=JSON, headers=EN)
    assert (again.status_code, again.json()) == (409, {"detail": "东村居民 is already in the pool."})


def test_the_admin_plans_reads_replaces_and_publishes(client, town):
    sign_in(client, town.admin)
    body = {"start": "2027-01-04", "weeks": 4}
    response = client.post(f"/api/v1/organisations/{town.town.pk}/duty/rotas", body, content_type=JSON)
    assert response.status_code == 201, response.content
    data = response.json()
    rota = Rota.objects.get(pk=data["id"])
    assert (data["status"], data["team_size"], data["troubleshooters"], data["avoid_home_village"]) == ("draft", 3, 1, True)
    assert [village["name"] for village in data["villages"]] == ["East Village", "West Village", "South Village"]
    assert [week["start"] for week in data["schedule"]] == ["2027-01-04", "2027-01-11", "2027-01-18", "2027-01-25"]
    assert all(len(week["turns"]) == 10 and week["gaps"] == [] for week in data["schedule"])
    assert client.get(f"/api/v1/duty/rotas/{rota.pk}").json() == data

    week2 = data["schedule"][1]["turns"]
    turn = next(t for t in week2 if t["village"] is not None)
    other = next(t for t in week2 if t["volunteer"] != turn["volunteer"])
    refused = client.post(f"/api/v1/duty/turns/{turn['id']}/override", {"volunteer": other["volunteer"]}, content_type=JSON, headers=EN)
    assert refused.status_code == 409
    assert refused.json() == {"detail": f"{other['name']} already serves in that week."}

    newcomer = Volunteer.objects.create(organisation=town.town, person=town.resident, joined_on=MONDAY)
    done = client.post(f"/api/v1/duty/turns/{turn['id']}/override", {"volunteer": newcomer.pk}, content_type=JSON)
    assert done.status_code == 200
    assert done.json() == {"id": turn["id"], "volunteer": newcomer.pk, "name": "东村居民", "village": turn["village"], "replaced": True}
    assert violations(rota) == []

    published = client.post(f"/api/v1/duty/rotas/{rota.pk}/publish")
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert Notification.objects.count() > 0
    again = client.post(f"/api/v1/duty/rotas/{rota.pk}/publish", headers=EN)
    assert (again.status_code, again.json()) == (409, {"detail": "This rota is published already."})


def test_a_bad_plan_is_worded(client, town):
    sign_in(client, town.admin)
    response = client.post(
        f"/api/v1/organisations/{town.town.pk}/duty/rotas", {"start": "2027-01-04", "weeks": 0}, content_type=JSON, headers=EN
    )
    assert (response.status_code, response.json()) == (400, {"detail": "Plan from 1 to 520 weeks."})
    assert Rota.objects.count() == 0


def test_a_draft_is_not_found_by_the_public_and_a_published_rota_is(client, town, django_assert_max_num_queries):
    rota = plan_rota(actor=town.admin, organisation=town.town, start=MONDAY, weeks=2)
    assert client.get(f"/api/v1/duty/rotas/{rota.pk}").status_code == 404
    assert client.get(f"/api/v1/organisations/{town.town.pk}/duty/rotas").json()["items"] == []
    publish_rota(actor=town.admin, rota=rota)
    plan_rota(actor=town.admin, organisation=town.town, start=MONDAY, weeks=13)
    with django_assert_max_num_queries(8):
        listed = client.get(f"/api/v1/organisations/{town.town.pk}/duty/rotas").json()
    assert [item["id"] for item in listed["items"]] == [rota.pk]
    with django_assert_max_num_queries(8):
        assert client.get(f"/api/v1/duty/rotas/{rota.pk}").json()["status"] == RotaStatus.PUBLISHED


@pytest.mark.parametrize("who", ["vol01", "other_admin"])
def test_others_are_refused_and_nothing_changes(client, town, who):
    sign_in(client, town.other_admin if who == "other_admin" else town.account(who))
    rota = plan_rota(actor=town.admin, organisation=town.town, start=MONDAY, weeks=2)
    turn = DutyTurn.objects.filter(week__rota=rota).first()
    before = _rows()
    org = town.town.pk
    assert client.get(f"/api/v1/organisations/{org}/duty/volunteers").status_code == 403
    assert client.post(f"/api/v1/organisations/{org}/duty/volunteers", {"person": town.resident.pk}, content_type=JSON).status_code == 403
    assert client.post(f"/api/v1/organisations/{org}/duty/rotas", {"start": "2027-04-05", "weeks": 4}, content_type=JSON).status_code == 403
    assert client.post(f"/api/v1/duty/rotas/{rota.pk}/publish").status_code == 404  # a draft is not known to exist
    assert client.post(f"/api/v1/duty/turns/{turn.pk}/override", {"volunteer": town.volunteer("vol24").pk}, content_type=JSON).status_code == 404
    publish_rota(actor=town.admin, rota=rota)
    before = _rows()
    assert client.post(f"/api/v1/duty/turns/{turn.pk}/override", {"volunteer": town.volunteer("vol24").pk}, content_type=JSON).status_code == 403
    assert _rows() == before
    assert DutyTurn.objects.get(pk=turn.pk).volunteer_id == turn.volunteer_id


def test_signing_in_is_needed_to_change_anything(client, town):
    assert client.post(f"/api/v1/organisations/{town.town.pk}/duty/rotas", {"start": "2027-04-05", "weeks": 4}, content_type=JSON).status_code == 401
    assert Rota.objects.count() == 0
