"""The organisation tree: materialised paths stay right through creation and moves."""

import pytest

from tests.helpers import SYSTEM, place
from tongxin.community.actions import move_organisation
from tongxin.community.models import Level, Organisation
from tongxin.core.models import AuditEvent


@pytest.fixture
def tree(db) -> dict[str, Organisation]:
    city = place("City", "city", None)
    east = place("East Town", "town", city)
    west = place("West Town", "town", city)
    village = place("Village", "village", east)
    grid = place("Grid", "grid", village)
    council = place("Council", "consultation_council", village)
    office = place("Office", "council_office", council)
    return {"city": city, "east": east, "west": west, "village": village, "grid": grid, "council": council, "office": office}


def paths() -> dict[str, str]:
    return dict(Organisation.objects.values_list("name", "path"))


def test_a_new_organisation_extends_its_parents_path(tree):
    t = {name: organisation.pk for name, organisation in tree.items()}
    assert paths() == {
        "City": f"/{t['city']}/",
        "East Town": f"/{t['city']}/{t['east']}/",
        "West Town": f"/{t['city']}/{t['west']}/",
        "Village": f"/{t['city']}/{t['east']}/{t['village']}/",
        "Grid": f"/{t['city']}/{t['east']}/{t['village']}/{t['grid']}/",
        "Council": f"/{t['city']}/{t['east']}/{t['village']}/{t['council']}/",
        "Office": f"/{t['city']}/{t['east']}/{t['village']}/{t['council']}/{t['office']}/",
    }


def test_moving_an_organisation_moves_every_descendant(tree):
    t = {name: organisation.pk for name, organisation in tree.items()}
    move_organisation(actor=SYSTEM, organisation=tree["village"], parent=tree["west"])
    moved = f"/{t['city']}/{t['west']}/{t['village']}/"
    assert paths() == {
        "City": f"/{t['city']}/",
        "East Town": f"/{t['city']}/{t['east']}/",
        "West Town": f"/{t['city']}/{t['west']}/",
        "Village": moved,
        "Grid": f"{moved}{t['grid']}/",
        "Council": f"{moved}{t['council']}/",
        "Office": f"{moved}{t['council']}/{t['office']}/",
    }
    assert list(Organisation.objects.within(tree["east"]).values_list("name", flat=True)) == ["East Town"]
    assert sorted(Organisation.objects.within(tree["west"]).values_list("name", flat=True)) == [
        "Council", "Grid", "Office", "Village", "West Town",
    ]
    event = AuditEvent.objects.get(verb="organisation.move")
    assert event.data == {"before": t["east"], "after": t["west"]}


def test_a_child_saved_after_its_parent_moved_takes_the_new_path(tree):
    stale_village = Organisation.objects.get(pk=tree["village"].pk)  # loaded before the move
    move_organisation(actor=SYSTEM, organisation=tree["village"], parent=tree["west"])
    grid = Organisation(name="Grid 2", kind="grid", parent=stale_village)
    grid.save()
    assert grid.path == f"/{tree['city'].pk}/{tree['west'].pk}/{tree['village'].pk}/{grid.pk}/"


def test_saving_with_update_fields_still_writes_a_changed_path(tree):
    council = tree["council"]
    council.parent = tree["west"]
    council.save(update_fields=["parent"])
    assert Organisation.objects.get(pk=council.pk).path == f"/{tree['city'].pk}/{tree['west'].pk}/{council.pk}/"
    assert Organisation.objects.get(pk=tree["office"].pk).path.startswith(Organisation.objects.get(pk=council.pk).path)


def test_the_model_refuses_a_loop_even_without_the_action(tree):
    village = tree["village"]
    village.parent = tree["grid"]
    with pytest.raises(ValueError, match="cannot be moved inside itself"):
        village.save()


def test_ancestors_place_and_level(tree):
    office = Organisation.objects.get(pk=tree["office"].pk)
    assert [ancestor.name for ancestor in office.ancestors()] == ["City", "East Town", "Village", "Council"]
    assert office.place() == tree["village"]
    assert office.level == Level.VILLAGE


def test_bodies_by_place_finds_nested_bodies_and_leaves_deeper_places_out(tree):
    branch = place("Branch", "party_branch", tree["village"])
    grid_group = place("Grid Group", "workgroup", tree["grid"])
    found = Organisation.objects.bodies_by_place([tree["village"], tree["grid"], tree["east"]])
    assert {pk: [body.name for body in bodies] for pk, bodies in found.items()} == {
        tree["village"].pk: ["Council", "Branch", "Office"],
        tree["grid"].pk: ["Grid Group"],
        tree["east"].pk: [],
    }
    assert grid_group.parent == tree["grid"] and branch.parent == tree["village"]
