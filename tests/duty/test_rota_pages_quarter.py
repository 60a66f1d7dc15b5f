"""Issue 6, done when: an organisation plans a quarter for 104 volunteers across its villages
and every constraint holds. Here a town of twelve villages does it through its pages, and the
rows are read back by the independent checker (`tests/duty/conftest.violations`)."""

from __future__ import annotations

import datetime
import random
from collections import Counter

from tests.duty.conftest import MONDAY, fill_pool, violations
from tests.helpers import admin_of, organisation, page_text, sign_in
from tongxin.core.models import Notification
from tongxin.duty.actions.rota import set_unavailable
from tongxin.duty.models import DutyGap, DutyTurn, Rota, RotaStatus, Volunteer

VILLAGES = dict(zip("东西南北金银玉石松竹梅兰", ["Dong", "Xi", "Nan", "Bei", "Jin", "Yin", "Yu", "Shi", "Song", "Zhu", "Mei", "Lan"], strict=True))


def test_a_town_plans_a_quarter_for_104_volunteers_through_its_pages(client, db, django_assert_max_num_queries):
    city = organisation("南京市", "Nanjing", "city", None)
    qixia = organisation("栖霞街道", "Qixia Street", "street", city)
    villages = [organisation(f"{name}村", f"{pinyin} Village", "village", qixia) for name, pinyin in VILLAGES.items()]
    admin = admin_of(qixia, "qixia_admin")
    pool = fill_pool(qixia, villages, admin, 104, prefix="cadre")
    rng = random.Random(104)
    for volunteer in pool.values():  # some cannot serve on a day or two of the quarter
        for day in {MONDAY + datetime.timedelta(days=rng.randrange(91)) for _ in range(rng.randrange(3))}:
            set_unavailable(actor=volunteer.person.user, volunteer=volunteer, date=day, reason="外出")

    sign_in(client, admin)
    plan = {"start": "2027-01-04", "weeks": "13", "team_size": "3", "troubleshooters": "1", "avoid_home_village": "on"}
    response = client.post(f"/organisations/{qixia.pk}/duty/rotas/new/", plan)
    rota = Rota.objects.get()
    assert response.status_code == 302 and response["Location"] == rota.get_absolute_url()

    assert violations(rota) == []
    assert not DutyGap.objects.filter(week__rota=rota).exists()
    turns = Counter(DutyTurn.objects.filter(week__rota=rota).values_list("volunteer_id", flat=True))
    assert sum(turns.values()) == 13 * (12 * 3 + 1)
    assert sorted(set(turns.values())) == [4, 5] and len(turns) == 104  # 481 turns among 104: 4 or 5 each
    first = rota.rota_weeks.get(number=1)
    for village in villages:  # every team of the first week has someone who has done it before
        assert Volunteer.objects.filter(turns__week=first, turns__village=village, experienced=True).exists(), village

    with django_assert_max_num_queries(12):
        text = page_text(client.get(rota.get_absolute_url(), headers={"accept-language": "en"}))
    assert "481 turns among 104 volunteers, 4 to 5 each" in text
    assert "Empty seats none" in text
    assert "Week 13 · March 29, 2027" in text

    assert client.post(f"/duty/rotas/{rota.pk}/publish/").status_code == 302
    assert Rota.objects.get().status == RotaStatus.PUBLISHED
    assert Notification.objects.filter(subject="Your duty weeks for Qixia Street").count() == 104
    client.logout()
    assert "Dong Village" in page_text(client.get(rota.get_absolute_url(), headers={"accept-language": "en"}))
