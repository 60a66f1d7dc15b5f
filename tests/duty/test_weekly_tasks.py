"""A village team's tasks for its week: set by the team or the organisation's managers, their
progress and completion kept up during the week, removed; on the page and through the API; who
may read and who may change them, and nothing changed when someone may not."""

from __future__ import annotations

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from tests.helpers import page_text, sign_in
from tongxin.community.models import Organisation
from tongxin.core.models import AuditEvent
from tongxin.duty.actions.tasks import set_task
from tongxin.duty.models import WeeklyTask

EN = {"accept-language": "en"}
JSON = "application/json"


def _rows():
    return WeeklyTask.objects.count(), AuditEvent.objects.count(), list(
        WeeklyTask.objects.order_by("pk").values_list("title", "progress", "done")
    )


def _tasks_url(serving, village: str = "东村") -> str:
    return f"/duty/weeks/{serving.week.pk}/villages/{serving.town.village(village).pk}/tasks/"


def test_the_team_sets_follows_and_removes_tasks_on_the_page(client, serving):
    member = serving.team("东村")[0].volunteer.person.user
    sign_in(client, member)
    url = _tasks_url(serving)
    page = page_text(client.get(url, headers=EN))
    assert "Tasks of the week The team of East Village" in page
    assert "No tasks yet." in page and "Add the task" in page

    response = client.post(url, {"title": "  修好村口的路灯 "})
    assert response.status_code == 302 and response["Location"] == url
    task = WeeklyTask.objects.get()
    assert (task.title, task.progress, task.done, task.set_by, task.village) == ("修好村口的路灯", "", False, member, serving.town.village("东村"))
    page = page_text(client.get(url, headers=EN))
    assert "The task is on the team's list." in page
    assert "修好村口的路灯 under way" in page

    response = client.post(f"/duty/tasks/{task.pk}/", {"progress": "已联系电工，周四来修。"})
    assert response.status_code == 302 and response["Location"] == url
    page = page_text(client.get(url, headers=EN))
    assert "The task “修好村口的路灯” is saved." in page
    assert "修好村口的路灯 under way 已联系电工，周四来修。" in page

    client.post(f"/duty/tasks/{task.pk}/", {"progress": "已修好。", "done": "on"})
    assert "修好村口的路灯 done 已修好。" in page_text(client.get(url, headers=EN))

    edit = page_text(client.get(f"/duty/tasks/{task.pk}/", headers=EN))
    assert "Change a task The team of East Village" in edit and "Remove the task" in edit
    client.post(f"/duty/tasks/{task.pk}/", {"title": "修好路灯", "progress": "已修好。", "done": "on"})
    task.refresh_from_db()
    assert (task.title, task.progress, task.done) == ("修好路灯", "已修好。", True)

    response = client.post(f"/duty/tasks/{task.pk}/", {"remove": "1"})
    assert response.status_code == 302 and response["Location"] == url
    assert "The task “修好路灯” is removed." in page_text(client.get(url, headers=EN))
    assert not WeeklyTask.objects.exists()
    verbs = list(AuditEvent.objects.filter(verb__startswith="duty.task.").order_by("seq").values_list("verb", "data"))
    assert verbs == [
        ("duty.task.set", {"week": serving.week.pk, "village": serving.town.village("东村").pk, "title": "修好村口的路灯"}),
        ("duty.task.update", {"progress": "已联系电工，周四来修。", "done": False}),
        ("duty.task.update", {"progress": "已修好。", "done": True}),
        ("duty.task.update", {"title": "修好路灯", "progress": "已修好。", "done": True}),
        ("duty.task.remove", {"week": serving.week.pk, "village": serving.town.village("东村").pk, "title": "修好路灯", "done": True}),
    ]


def test_a_task_needs_a_title_of_at_most_200_characters(client, serving):
    sign_in(client, serving.team("东村")[0].volunteer.person.user)
    before = _rows()
    response = client.post(_tasks_url(serving), {"title": "   "}, headers=EN)
    assert response.status_code == 200
    assert "Add a task Task: This field is required." in page_text(response)
    response = client.post(_tasks_url(serving), {"title": "路" * 201}, headers=EN)
    assert "Ensure this value has at most 200 characters (it has 201)." in page_text(response)
    api = f"/api/v1/duty/weeks/{serving.week.pk}/villages/{serving.town.village('东村').pk}/tasks"
    response = client.post(api, {"title": "路" * 201}, content_type=JSON, headers=EN)
    assert (response.status_code, response.json()) == (400, {"detail": "A task's title has at most 200 characters."})
    response = client.post(api, {"title": ""}, content_type=JSON, headers=EN)
    assert (response.status_code, response.json()) == (400, {"detail": "Give the task a title."})
    assert _rows() == before


def test_the_api_sets_lists_changes_and_removes_tasks(client, serving):
    sign_in(client, serving.town.admin)
    village = serving.town.village("南村")
    url = f"/api/v1/duty/weeks/{serving.week.pk}/villages/{village.pk}/tasks"
    response = client.post(url, {"title": "走访独居老人"}, content_type=JSON)
    assert response.status_code == 201
    task = WeeklyTask.objects.get()
    expected = {
        "id": task.pk, "week": serving.week.pk, "village": village.pk, "title": "走访独居老人", "progress": "", "done": False,
        "set_at": DjangoJSONEncoder().default(task.set_at), "updated_at": DjangoJSONEncoder().default(task.updated_at),
    }
    assert response.json() == expected
    assert client.get(url).json() == [expected]
    response = client.patch(f"/api/v1/duty/tasks/{task.pk}", {"done": True}, content_type=JSON)
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["progress"], response.json()["done"]) == ("走访独居老人", "", True)
    response = client.patch(f"/api/v1/duty/tasks/{task.pk}", {"progress": "走访了五户"}, content_type=JSON)
    assert (response.json()["progress"], response.json()["done"]) == ("走访了五户", True)
    assert client.delete(f"/api/v1/duty/tasks/{task.pk}").status_code == 204
    assert client.get(url).json() == []
    assert client.delete(f"/api/v1/duty/tasks/{task.pk}").status_code == 404


def test_a_later_volunteer_of_the_village_reads_the_tasks_but_does_not_change_them(client, serving):
    village = serving.town.village("东村")
    task = set_task(actor=serving.town.admin, week=serving.week, village=village, title="清理河道")
    later = next(
        turn for turn in serving.rota.rota_weeks.get(number=2).turns.select_related("volunteer__person__user")
        if turn.village_id == village.pk
    )
    sign_in(client, later.volunteer.person.user)
    page = page_text(client.get(_tasks_url(serving), headers=EN))
    assert "清理河道 under way" in page
    assert "Add the task" not in page and "Remove" not in page
    before = _rows()
    assert client.post(_tasks_url(serving), {"title": "新任务"}).status_code == 403
    assert client.get(f"/duty/tasks/{task.pk}/").status_code == 403
    assert client.post(f"/duty/tasks/{task.pk}/", {"progress": "改", "done": "on"}).status_code == 403
    assert client.post(f"/duty/tasks/{task.pk}/", {"remove": "1"}).status_code == 403
    api = f"/api/v1/duty/weeks/{serving.week.pk}/villages/{village.pk}/tasks"
    assert client.get(api).status_code == 200
    assert client.post(api, {"title": "新任务"}, content_type=JSON).status_code == 403
    assert client.patch(f"/api/v1/duty/tasks/{task.pk}", {"done": True}, content_type=JSON).status_code == 403
    assert client.delete(f"/api/v1/duty/tasks/{task.pk}").status_code == 403
    assert _rows() == before


@pytest.mark.parametrize("who", ["anonymous", "resident", "other_village", "other_admin"])
def test_outsiders_neither_see_nor_change_the_tasks(client, serving, who):
    village = serving.town.village("东村")
    task = set_task(actor=serving.town.admin, week=serving.week, village=village, title="清理河道")
    if who == "resident":
        sign_in(client, serving.town.resident.user)
    elif who == "other_village":
        sign_in(client, serving.stranger("东村"))
    elif who == "other_admin":
        sign_in(client, serving.town.other_admin)
    before = _rows()
    denied = (302, 404) if who == "anonymous" else (404,)  # a team's record is not known to outsiders
    assert client.get(_tasks_url(serving)).status_code in denied
    assert client.post(_tasks_url(serving), {"title": "新任务"}).status_code in denied
    assert client.post(f"/duty/tasks/{task.pk}/", {"progress": "改"}).status_code in denied
    assert client.post(f"/duty/tasks/{task.pk}/", {"remove": "1"}).status_code in denied
    api = f"/api/v1/duty/weeks/{serving.week.pk}/villages/{village.pk}/tasks"
    denied_api = 401 if who == "anonymous" else 404
    assert client.get(api).status_code == denied_api
    assert client.post(api, {"title": "新任务"}, content_type=JSON).status_code == denied_api
    assert client.patch(f"/api/v1/duty/tasks/{task.pk}", {"done": True}, content_type=JSON).status_code == denied_api
    assert client.delete(f"/api/v1/duty/tasks/{task.pk}").status_code == denied_api
    assert _rows() == before


def test_a_place_the_rota_sends_no_team_to_has_no_tasks(client, serving):
    sign_in(client, serving.town.admin)
    before = _rows()
    for place in (serving.town.committee, Organisation.objects.get(name="远山村"), serving.town.town):
        url = f"/duty/weeks/{serving.week.pk}/villages/{place.pk}/tasks/"
        assert client.get(url).status_code == 404
        assert client.post(url, {"title": "x"}).status_code == 404
        assert client.post(f"/api/v1/duty/weeks/{serving.week.pk}/villages/{place.pk}/tasks", {"title": "x"}, content_type=JSON).status_code == 404
    assert _rows() == before


def test_the_task_list_costs_the_same_for_more_tasks(client, serving, django_assert_max_num_queries):
    village = serving.town.village("东村")
    sign_in(client, serving.team("东村")[0].volunteer.person.user)
    set_task(actor=serving.town.admin, week=serving.week, village=village, title="任务0")
    client.get(_tasks_url(serving))
    with django_assert_max_num_queries(16):
        assert client.get(_tasks_url(serving)).status_code == 200
    for n in range(1, 12):
        set_task(actor=serving.town.admin, week=serving.week, village=village, title=f"任务{n}")
    with django_assert_max_num_queries(16):
        assert client.get(_tasks_url(serving)).status_code == 200
    api = f"/api/v1/duty/weeks/{serving.week.pk}/villages/{village.pk}/tasks"
    with django_assert_max_num_queries(12):
        assert len(client.get(api).json()) == 12
