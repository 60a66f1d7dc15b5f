"""The accounts tests' resident: an account with no staff role and no person record."""

import pytest

from tests.factories import UserFactory


@pytest.fixture
def resident(db):
    return UserFactory(username="wang.fang")
