"""How people reach the duty pages: "my duty weeks" leads a volunteer to their team's week, their
diary and swaps; the town's page leads its admins to swaps and statistics; a village's page
leads anyone to its weekly bulletin once a rota above it is published."""

from __future__ import annotations

from tests.duty.conftest import Serving
from tests.helpers import page_text, sign_in
from tongxin.duty.models import DutyTurn

EN = {"accept-language": "en"}


def test_a_volunteer_on_duty_is_led_to_the_team_s_week_and_diary(client, serving: Serving):
    turn = serving.team("东村")[0]
    coming = DutyTurn.objects.filter(volunteer=turn.volunteer, week__number=3).first()
    sign_in(client, turn.volunteer.person.user)
    response = client.get("/duty/me/", headers=EN)
    html = response.content.decode()
    assert "You are on duty this week: your team's week" in page_text(response)
    assert f'href="/duty/weeks/{serving.week.pk}/villages/{turn.village_id}/"' in html
    assert f'href="/duty/turns/{turn.pk}/diary/"' in html
    assert f'href="/duty/turns/{turn.pk}/swap/"' not in html  # the week has begun
    if coming is not None:
        assert f'href="/duty/turns/{coming.pk}/swap/"' in html


def test_someone_off_duty_this_week_sees_no_team_link(client, serving: Serving):
    resting = DutyTurn.objects.filter(week__number=2).select_related("volunteer__person__user").first()
    sign_in(client, resting.volunteer.person.user)
    response = client.get("/duty/me/", headers=EN)
    assert "You are on duty this week" not in page_text(response)
    assert f'href="/duty/turns/{resting.pk}/swap/"' in response.content.decode()


def test_the_town_page_leads_its_admin_to_swaps_and_statistics(client, serving: Serving):
    town = serving.town.town
    sign_in(client, serving.town.admin)
    text = page_text(client.get(town.get_absolute_url(), headers=EN))
    assert "All rotas · Volunteers · Plan a rota · Swaps (0 waiting) · Statistics" in text


def test_the_public_sees_the_town_s_rotas_but_not_swaps_or_statistics(client, serving: Serving):
    text = page_text(client.get(serving.town.town.get_absolute_url(), headers=EN))
    assert "All rotas" in text
    assert "Swaps" not in text and "Statistics" not in text


def test_a_village_page_links_to_its_bulletin(client, serving: Serving):
    village = serving.town.village("西村")
    response = client.get(village.get_absolute_url(), headers=EN)
    assert "This week's duty bulletin: the team, its tasks and the problems it heard" in page_text(response)
    assert f'href="/villages/{village.pk}/duty/bulletin/"' in response.content.decode()


def test_a_village_without_a_published_rota_shows_no_bulletin(client, town):
    response = client.get(town.village("西村").get_absolute_url(), headers=EN)
    assert "duty bulletin" not in page_text(response)


def test_both_volunteers_see_a_swap_under_way_on_their_duty_weeks(client, serving: Serving):
    from tongxin.duty.actions.swaps import ask_swap, swap_choices

    asker, other = next(
        (turn, choices[0].turn)
        for turn in DutyTurn.objects.filter(week__number=2, village__isnull=False).select_related("volunteer__person__user")
        if (choices := swap_choices(turn))
    )
    swap = ask_swap(actor=asker.volunteer.person.user, turn=asker, other_turn=other)
    for user in (asker.volunteer.person.user, other.volunteer.person.user):
        sign_in(client, user)
        response = client.get("/duty/me/", headers=EN)
        assert "Swaps under way Asked" in page_text(response)
        assert f'href="/duty/swaps/{swap.pk}/"' in response.content.decode()
