"""Factories for tests. Prefer actions to build state; factories set up what the test is not about."""

import datetime

import factory
from django.contrib.auth import get_user_model

from tongxin.community.models import (
    Gender,
    Membership,
    Obtained,
    Organisation,
    OrganisationKind,
    PartyStatus,
    Person,
    Role,
    RoleGrant,
    Sector,
    StaffRole,
)

# Every account a UserFactory makes signs in with this password.
PASSWORD = "correct horse battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save_password(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save(update_fields=["password"])


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"组织{n}")
    name_en = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.VILLAGE
    parent = None


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"sector-{n}")
    name = factory.Sequence(lambda n: f"界别{n}")
    name_en = factory.Sequence(lambda n: f"Sector {n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"王{n}")
    gender = Gender.MALE
    party_status = PartyStatus.NON_PARTY
    birth_year = 1970


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.CONSULTATION_COUNCIL)
    role = Role.MEMBER
    obtained = Obtained.EX_OFFICIO
    start_date = datetime.date(2024, 1, 1)


class RoleGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleGrant

    user = factory.SubFactory(UserFactory)
    role = StaffRole.ADMIN
    organisation = factory.SubFactory(OrganisationFactory)
