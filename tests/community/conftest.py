"""The community tests' places: Xiaozhai Village in Tongxin Town, its council; English reports."""

import pytest
from django.utils import translation

from tests.helpers import organisation
from tongxin.community.models import Organisation


@pytest.fixture
def in_english():
    """Reports worded outside a request read in English, whatever a previous request activated."""
    with translation.override("en"):
        yield


@pytest.fixture
def town(db) -> Organisation:
    city = organisation("临海市", "Linhai City", "city", None)
    return organisation("同心镇", "Tongxin Town", "town", city)


@pytest.fixture
def village(town) -> Organisation:
    return organisation("小寨村", "Xiaozhai Village", "village", town)


@pytest.fixture
def council(village) -> Organisation:
    return organisation("小寨村议事会", "Xiaozhai Council", "consultation_council", village)


@pytest.fixture
def places(town, village, council) -> dict[str, Organisation]:
    """The village with its council, and a sibling village under the same town."""
    return {
        "town": town,
        "xiaozhai": village,
        "datian": organisation("大田村", "Datian Village", "village", town),
        "council": council,
    }
