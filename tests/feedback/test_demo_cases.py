"""The demo town's cases: built through the actions, in every state, the same for the same seed."""

import random
from collections import Counter

import pytest
from django.db import transaction

from tongxin.community.demo import DEMO_PASSWORD, build_demo_town
from tongxin.community.models import RoleGrant
from tongxin.core.audit import verify_chain
from tongxin.core.models import AuditEvent
from tongxin.feedback.demo import build_demo_cases
from tongxin.feedback.models import Case, CaseStep, Category, Privacy, RoutingRule
from tongxin.feedback.policies import route_case


@pytest.fixture
def demo_town(db):
    return build_demo_town(seed=2014).town


def signature(town) -> list[tuple]:
    return list(
        Case.objects.within(town)
        .order_by("pk")
        .values_list("description", "status", "channel", "privacy", "organisation__name", "escalation_level")
    )


def test_the_demo_cases_cover_every_state_channel_and_privacy(demo_town):
    summary = build_demo_cases(town=demo_town, rng=random.Random(2014))
    cases = Case.objects.within(demo_town)
    assert summary.cases == summary.added["cases"] == cases.count() == 60
    statuses = Counter(cases.values_list("status", flat=True))
    assert statuses["merged"] == 5
    assert statuses["declined"] == 4
    assert statuses["referred"] == 2
    assert statuses["closed"] >= 12
    assert statuses["answered"] >= 1 and statuses["reopened"] >= 3 and statuses["in_progress"] >= 8
    assert statuses["submitted"] >= 1 and statuses["acknowledged"] >= 1 and statuses["assigned"] >= 1
    assert cases.filter(escalation_level__gte=1, tier="emergency").count() == 4
    assert cases.filter(satisfied=True).exists() and cases.filter(satisfied=False).exists()
    assert set(cases.values_list("privacy", flat=True)) == {"public", "hidden", "anonymous"}
    assert len(set(cases.values_list("channel", flat=True))) >= 6
    assert not cases.filter(privacy=Privacy.ANONYMOUS).exclude(reporter_name="", reporter_phone="", reporter=None).exists()
    # Every case has a ledger, and every step is in the audit chain.
    assert not cases.filter(steps__isnull=True).exists()
    steps = CaseStep.objects.filter(case__in=cases).count()
    assert AuditEvent.objects.filter(verb__startswith="case.").count() == steps
    assert verify_chain().intact


def test_the_demo_routes_and_staffs_the_villages(demo_town):
    summary = build_demo_cases(town=demo_town, rng=random.Random(2014))
    assert summary.handlers == ["town-handler", "xikou-handler", "shuanggang-handler", "zhujiaao-handler"]
    assert RoutingRule.objects.filter(organisation__parent=demo_town).count() == 12
    grants = RoleGrant.objects.filter(user__username="xikou-handler").values_list("role", "organisation__name")
    assert list(grants) == [("handler", "溪口村")]
    handler = RoleGrant.objects.get(user__username="town-handler")
    assert (handler.role, handler.organisation.name) == ("handler", "白水洋镇人民政府")
    assert handler.user.check_password(DEMO_PASSWORD)
    village = RoleGrant.objects.get(user__username="xikou-handler").organisation
    workgroup = route_case(organisation=village, category=Category.objects.get(code="public_safety"))
    assert workgroup.name == "溪口村红袖标治安志愿者工作组"


def test_the_same_seed_gives_the_same_cases_and_a_second_run_adds_none(demo_town):
    with transaction.atomic():
        build_demo_cases(town=demo_town, rng=random.Random(7))
        first = signature(demo_town)
        transaction.set_rollback(True)
    assert Case.objects.count() == 0
    summary = build_demo_cases(town=demo_town, rng=random.Random(7))
    assert signature(demo_town) == first
    again = build_demo_cases(town=demo_town, rng=random.Random(7))
    assert (again.added, again.cases) == (Counter(), 60)
    assert summary.added["cases"] == 60
