"""Forms for the community management pages. They parse input; the actions decide what is allowed."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import (
    Formation,
    Gender,
    Obtained,
    Organisation,
    OrganisationKind,
    PartyStatus,
    Person,
    PersonQuerySet,
    Role,
    Sector,
    StaffRole,
)

# How many people the member form offers at once; a search narrows the list.
PERSON_CHOICES_SHOWN = 50

# Screen readers and input methods switch language with the field: names are kept in both.
CHINESE = {"lang": "zh-Hans"}
ENGLISH = {"lang": "en"}


class DateInput(forms.DateInput):
    """The browser's date picker; it sends and expects ISO dates whatever the page's language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class CommunityForm(forms.Form):
    """Renders each field in a `.field` block with its label, help and errors (see community/form.html)."""

    template_name = "community/form.html"
    required_css_class = "required"
    error_css_class = "has-error"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


def related_organisations(organisation: Organisation) -> Any:
    """Organisations that may elect, appoint or approve for `organisation`: itself, the places and
    bodies above it, and the bodies and places directly under each of them."""
    family = [*organisation.ancestor_ids, organisation.pk]
    return Organisation.objects.active().filter(Q(pk__in=family) | Q(parent_id__in=family)).order_by("path")


class PersonForm(CommunityForm):
    name = forms.CharField(label=_("Name"), max_length=100, widget=forms.TextInput(attrs=CHINESE))
    surname = forms.CharField(
        label=_("Surname"),
        max_length=10,
        required=False,
        help_text=_("Only when the surname is not the first character of the name."),
    )
    name_latin = forms.CharField(
        label=_("Name in Latin letters"), max_length=100, required=False, widget=forms.TextInput(attrs=ENGLISH)
    )
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, widget=forms.RadioSelect)
    birth_year = forms.IntegerField(label=_("Year of birth"), required=False)
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    email = forms.EmailField(label=_("Email"), required=False)
    party_status = forms.ChoiceField(
        label=_("Party status"), choices=PartyStatus.choices, initial=PartyStatus.NON_PARTY, widget=forms.RadioSelect
    )
    sectors = forms.ModelMultipleChoiceField(
        label=_("Sectors"),
        queryset=Sector.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class PersonEditForm(PersonForm):
    home = forms.ModelChoiceField(
        label=_("Home village or community"), queryset=Organisation.objects.none(), required=False,
        empty_label=_("Not recorded"),
    )

    field_order = ["name", "surname", "name_latin", "gender", "birth_year", "phone", "email", "party_status", "home"]

    def __init__(self, *args: Any, homes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["home"].queryset = homes

    @classmethod
    def initial_for(cls, person: Person) -> dict[str, Any]:
        initial = {field: getattr(person, field) for field in PERSON_EDIT_FIELDS}
        initial["phone"] = person.phone or ""
        initial["home"] = person.home_id
        initial["sectors"] = [sector.pk for sector in person.sectors.all()]
        return initial


PERSON_EDIT_FIELDS = ("name", "surname", "name_latin", "gender", "birth_year", "phone", "email", "party_status", "home")


class OrganisationFields(CommunityForm):
    name = forms.CharField(label=_("Name in Chinese"), max_length=200, widget=forms.TextInput(attrs=CHINESE))
    name_en = forms.CharField(
        label=_("Name in English"), max_length=200, required=False, widget=forms.TextInput(attrs=ENGLISH)
    )
    formation = forms.ChoiceField(
        label=_("Formed by"), choices=_blank(_("Not stated")) + Formation.choices, required=False
    )
    approved_by = forms.ModelChoiceField(
        label=_("Answers to"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("Not stated"),
        help_text=_("For an appointed group: the organisation that approved it and to which it answers."),
    )
    description = forms.CharField(
        label=_("Description in Chinese"), widget=forms.Textarea(attrs={"rows": 3, **CHINESE}), required=False
    )
    description_en = forms.CharField(
        label=_("Description in English"), widget=forms.Textarea(attrs={"rows": 3, **ENGLISH}), required=False
    )
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    composition_rule_set = forms.ChoiceField(
        label=_("Composition rules"),
        required=False,
        help_text=_("Empty: the default rules for this kind of organisation."),
    )
    founded_on = forms.DateField(label=_("Founded on"), required=False, widget=DateInput())

    def __init__(self, *args: Any, relatives: Any, rule_sets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["approved_by"].queryset = relatives
        self.fields["composition_rule_set"].choices = _blank(_("Default for this kind")) + rule_sets


class OrganisationCreateForm(OrganisationFields):
    kind = forms.ChoiceField(label=_("Kind"), choices=OrganisationKind.choices)

    field_order = ["kind", "name", "name_en"]


class OrganisationEditForm(OrganisationFields):
    composition_overrides = forms.CharField(
        label=_("Adjusted composition numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text=_("One setting a line, written as name = value, for example min_members = 25. Write null to switch a rule off."),
    )
    dissolved_on = forms.DateField(label=_("Dissolved on"), required=False, widget=DateInput())

    @classmethod
    def initial_for(cls, organisation: Organisation) -> dict[str, Any]:
        initial = {field: getattr(organisation, field) for field in ORGANISATION_EDIT_FIELDS}
        initial["approved_by"] = organisation.approved_by_id
        initial["composition_overrides"] = format_overrides(organisation.composition_overrides)
        return initial

    def clean_composition_overrides(self) -> dict[str, Any]:
        return parse_overrides(self.cleaned_data["composition_overrides"])


ORGANISATION_EDIT_FIELDS = (
    "name", "name_en", "formation", "approved_by", "description", "description_en", "address",
    "composition_rule_set", "founded_on", "composition_overrides", "dissolved_on",
)


def format_overrides(overrides: dict[str, Any]) -> str:
    return "\n".join(f"{name} = {json.dumps(value, ensure_ascii=False)}" for name, value in sorted(overrides.items()))


def parse_overrides(text: str) -> dict[str, Any]:
    """`name = value` lines into a dict. A value is read as JSON (25, null, true, ["a", "b"]),
    else as plain text, so `leader_role = chair` works; the composition rules judge the values."""
    overrides: dict[str, Any] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, equals, value = (part.strip() for part in line.partition("="))
        if not equals or not name.isidentifier() or not value:
            raise forms.ValidationError(
                _("Write each line as name = value: “%(line)s” is not."), params={"line": line.strip()}
            )
        try:
            overrides[name] = json.loads(value)
        except json.JSONDecodeError:
            overrides[name] = value
    return overrides


class OrganisationFilterForm(CommunityForm):
    q = forms.CharField(label=pgettext_lazy("organisation", "Name"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=_blank(_("All kinds")) + OrganisationKind.choices, required=False
    )


class PersonSearchForm(CommunityForm):
    q = forms.CharField(label=_("Find a person by name or phone"), required=False, max_length=100)


class MembershipAddForm(CommunityForm):
    person = forms.ModelChoiceField(label=_("Person"), queryset=Person.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)
    obtained = forms.ChoiceField(label=_("How the seat was obtained"), choices=Obtained.choices)
    obtained_from = forms.ModelChoiceField(
        label=_("Elected, appointed or co-opted by"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("Not stated"),
    )
    sector = forms.ModelChoiceField(
        label=_("Sector represented"), queryset=Sector.objects.all(), required=False, empty_label=_("None")
    )
    start_date = forms.DateField(label=_("Seat held from"), required=False, widget=DateInput())
    term_end = forms.DateField(label=_("Term ends"), required=False, widget=DateInput())

    def __init__(self, *args: Any, people: PersonQuerySet, shown: list[Person], relatives: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any visible person is accepted; only the search results are listed, so the page stays small.
        self.fields["person"].queryset = people
        self.fields["person"].widget.choices = [("", _("Choose a person"))] + [
            (person.pk, person_label(person)) for person in shown
        ]
        self.fields["obtained_from"].queryset = relatives
        self.fields["start_date"].initial = timezone.localdate()


def person_label(person: Person) -> str:
    """Enough to tell two people of the same name apart in a list shown to an administrator."""
    details = [str(part) for part in (person.birth_year, person.home) if part]
    return f"{person.display_name} ({', '.join(details)})" if details else person.display_name


class MembershipEndForm(CommunityForm):
    end_date = forms.DateField(label=_("Left on"), required=False, widget=DateInput())
    reason = forms.CharField(
        label=_("Reason for leaving"),
        max_length=200,
        required=False,
        help_text=_("For example: term ended, resigned, moved away."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["end_date"].initial = timezone.localdate()


class RoleGrantForm(CommunityForm):
    username = forms.CharField(
        label=_("Account (username)"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false", "autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=_("Staff role"), choices=StaffRole.choices)

    def clean_username(self) -> Any:
        username = self.cleaned_data["username"].strip()
        account = get_user_model().objects.filter(username__iexact=username).first()
        if account is None:
            raise forms.ValidationError(_("No account has the username “%(username)s”."), params={"username": username})
        return account
