"""Forms for reporting a case, following it and giving a verdict. They parse input; the actions decide.

The place and category lists are built once per request (`IntakeChoices`) and handed to the
form, so a page with a hundred villages costs one query, not one per option.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongxin.community.models import Level, Organisation, kinds_at_level

from .models import AttributeType, Category, CategoryAttribute, Channel, Kind, Privacy
from .photos import MAX_PHOTO_BYTES, MAX_PHOTOS_PER_CASE

PRIVACY_EXPLAINED = {
    Privacy.PUBLIC: _("Your name may appear with the case on the public board. Your phone and email never do."),
    Privacy.HIDDEN: _("Only the people handling the case see your name and contact; the public sees none of it."),
    Privacy.ANONYMOUS: _(
        "Nobody learns who you are, not even the handlers. The tracking code (and PIN) is your only way back to the case."
    ),
}
STAFF_ENTRY_CHANNELS = [
    (channel.value, channel.label) for channel in (Channel.RECEPTION, Channel.HOTLINE, Channel.DUTY)
]
# The levels a resident chooses from: the village or community, or the grid within it.
VILLAGE_KINDS = kinds_at_level(Level.VILLAGE)
REPORT_PLACE_KINDS = VILLAGE_KINDS + kinds_at_level(Level.GRID)
TOWN_KINDS = kinds_at_level(Level.TOWN)
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


@dataclass
class IntakeChoices:
    """The active categories (grouped by their heading) and the places a case may be filed for (by town)."""

    categories: list[Category]
    places: list[Organisation]
    place_groups: list[tuple[str, list[tuple[int, str]]]] = field(default_factory=list)

    def category_choices(self) -> list[tuple[Any, Any]]:
        groups: dict[str, list[tuple[int, str]]] = {}
        for category in self.categories:
            groups.setdefault(category.group, []).append((category.pk, category.display_name))
        ungrouped = groups.pop("", [])
        return [("", _("Choose a category")), *ungrouped, *groups.items()]

    def place_choices(self) -> list[tuple[Any, Any]]:
        return [("", _("Choose the village, community or grid")), *self.place_groups]


def intake_choices(*, may_file_for: Callable[[Organisation], bool] | None = None) -> IntakeChoices:
    """Active categories, and the active villages, communities and grids (those `may_file_for`) by town.

    Grids are named with their village ("小寨村 · 第一网格"): "First Grid" alone is in every village.
    """
    categories = list(Category.objects.active())
    places = list(
        Organisation.objects.active().filter(kind__in=REPORT_PLACE_KINDS + TOWN_KINDS).listed().order_by("path")
    )
    by_pk = {place.pk: place for place in places}
    labels: dict[int, str] = {}
    groups: dict[str, list[tuple[int, str]]] = {}
    for place in places:
        if place.kind not in REPORT_PLACE_KINDS or (may_file_for is not None and not may_file_for(place)):
            continue
        ancestors = [by_pk[pk] for pk in place.ancestor_ids if pk in by_pk]
        village = next((item for item in reversed(ancestors) if item.kind in VILLAGE_KINDS), None)
        labels[place.pk] = f"{village.display_name} · {place.display_name}" if village else place.display_name
        town = next((item for item in reversed(ancestors) if item.kind in TOWN_KINDS), None)
        groups.setdefault(town.display_name if town else "", []).append((place.pk, labels[place.pk]))
    ungrouped = groups.pop("", [])
    return IntakeChoices(
        categories=categories,
        places=[by_pk[pk] for pk in labels],
        place_groups=[*((pk, label) for pk, label in ungrouped), *groups.items()],  # type: ignore[list-item]
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to MAX_PHOTOS_PER_CASE pictures; the action checks that each really is one."""

    widget = MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = [item for item in (data if isinstance(data, (list, tuple)) else [data]) if item]
        if len(files) > MAX_PHOTOS_PER_CASE:
            raise forms.ValidationError(_("At most %(count)s photos.") % {"count": MAX_PHOTOS_PER_CASE})
        for upload in files:
            if upload.size > MAX_PHOTO_BYTES:
                raise forms.ValidationError(_("A photo is larger than 8 MB."))
        return files


class IntakeForm(forms.Form):
    """What every channel asks: what, where, who may see the reporter's name, and how to reach them.

    Questions of the chosen category appear as `attribute_<code>` fields; the page sends back
    `questions_for`, the category whose questions it showed, so a reporter who changes the
    category (without JavaScript) is shown the new questions before the case is filed.
    """

    required_css_class = "required"
    error_css_class = "has-error"

    kind = forms.ChoiceField(
        label=_("What is it?"), choices=Kind.choices, initial=Kind.PROBLEM, widget=forms.RadioSelect
    )
    category = forms.TypedChoiceField(label=_("Category"), coerce=int)
    place = forms.TypedChoiceField(label=_("Village, community or grid"), coerce=int)
    description = forms.CharField(
        label=_("Describe it"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What, where exactly, since when. Please do not write other people's names or phone numbers."),
    )
    address = forms.CharField(
        label=_("Address or landmark"), max_length=300, required=False,
        help_text=_("For example: Building 3, next to the east gate."),
    )
    privacy = forms.ChoiceField(
        label=_("Who may see your name?"), choices=Privacy.choices, initial=Privacy.HIDDEN, widget=forms.RadioSelect
    )
    name = forms.CharField(label=_("Your name"), max_length=100, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )
    email = forms.EmailField(label=_("Email"), required=False, help_text=_("The answer is sent here too."))
    pin = forms.CharField(
        label=_("PIN (optional)"),
        required=False,
        min_length=4,
        max_length=8,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "new-password", "pattern": "[0-9]*"}),
        help_text=_("4 to 8 digits. With a PIN, only someone who knows it can open the case by its tracking code."),
    )

    def __init__(self, *args: Any, choices: IntakeChoices, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.choices = choices
        self.fields["category"].choices = choices.category_choices()
        self.fields["place"].choices = choices.place_choices()
        self.chosen_category = self._chosen_category()
        self.attributes: list[CategoryAttribute] = (
            list(self.chosen_category.attributes.all()) if self.chosen_category else []
        )
        for attribute in self.attributes:
            self.fields[f"attribute_{attribute.code}"] = attribute_field(attribute)

    def _chosen_category(self) -> Category | None:
        raw = self.data.get("category") if self.is_bound else self.initial.get("category")
        try:
            wanted = int(raw) if raw not in (None, "") else None
        except (TypeError, ValueError):
            return None
        return next((category for category in self.choices.categories if category.pk == wanted), None)

    @property
    def attribute_fields(self) -> list[forms.BoundField]:
        return [self[f"attribute_{attribute.code}"] for attribute in self.attributes]

    @property
    def privacy_explained(self) -> list[tuple[str, str]]:
        return [(label, PRIVACY_EXPLAINED[Privacy(value)]) for value, label in Privacy.choices]

    def clean_pin(self) -> str:
        pin = self.cleaned_data["pin"].strip()
        if pin and not (pin.isascii() and pin.isdigit()):
            raise forms.ValidationError(_("A PIN is 4 to 8 digits."))
        return pin

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        privacy = cleaned.get("privacy")
        contact = [cleaned.get(name) for name in ("name", "phone", "email")]
        if privacy == Privacy.ANONYMOUS and any(contact):
            raise forms.ValidationError(
                _("An anonymous case keeps no name or contact: clear your name, phone and email, "
                  "or choose “Hide my name from the public” instead.")
            )
        if privacy in (Privacy.PUBLIC, Privacy.HIDDEN) and not cleaned.get("name"):
            self.add_error("name", _("Give your name, or choose to stay anonymous."))
        if self.attributes and self.data.get("questions_for") != str(self.chosen_category.pk):
            # The category changed after its questions were shown (or before they could be).
            raise forms.ValidationError(_("This category has a few more questions: please answer them below."))
        return cleaned

    def case_fields(self) -> dict[str, Any]:
        """The keyword arguments of `submit_case` that this form collects."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "category": self.chosen_category,
            "organisation": self.chosen_place,
            "description": data["description"],
            "address": data.get("address", ""),
            "latitude": data.get("latitude"),
            "longitude": data.get("longitude"),
            "privacy": data["privacy"],
            "urgent": data.get("urgent", False),
            "reporter_name": data.get("name", ""),
            "reporter_phone": data.get("phone", ""),
            "reporter_email": data.get("email", ""),
            "pin": data.get("pin", ""),
            "attributes": {attribute.code: data.get(f"attribute_{attribute.code}") for attribute in self.attributes},
        }

    @property
    def chosen_place(self) -> Organisation:
        wanted = self.cleaned_data["place"]
        return next(place for place in self.choices.places if place.pk == wanted)


class ReportForm(IntakeForm):
    """The website's form (and the reception desk's, with a channel): everything, photos and a map point too."""

    latitude = forms.DecimalField(
        label=_("Latitude"), required=False, min_value=-90, max_value=90, decimal_places=6, max_digits=9,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180, decimal_places=6, max_digits=9,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    photos = PhotosField(
        label=_("Photos (up to 4)"), required=False, help_text=_("Location and camera details are removed from photos.")
    )
    urgent = forms.BooleanField(
        label=_("Urgent: danger to life or property"),
        required=False,
        help_text=_(
            "For example a gas smell, a fallen power line, a collapsing wall. In an emergency also call 110, 119 or 120."
        ),
    )

    field_order = [
        "kind", "category", "place", "address", "latitude", "longitude", "description", "photos",
        "urgent", "privacy", "name", "phone", "email", "pin",
    ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if (cleaned.get("latitude") is None) != (cleaned.get("longitude") is None):
            raise forms.ValidationError(_("Give both the latitude and the longitude of the map point, or neither."))
        return cleaned

    def photo_bytes(self) -> list[bytes]:
        return [upload.read() for upload in self.cleaned_data.get("photos") or []]


class StaffEntryForm(ReportForm):
    """The reception desk, the hotline and the duty officer type a case in for a resident."""

    channel = forms.ChoiceField(
        label=_("How did the resident get in touch?"),
        choices=STAFF_ENTRY_CHANNELS,
        widget=forms.RadioSelect,
        initial=Channel.RECEPTION,
    )
    field_order = ["channel", *ReportForm.field_order]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Resident's name")
        self.fields["phone"].label = _("Resident's phone")
        self.fields["email"].label = _("Resident's email")
        self.fields["privacy"].label = _("Who may see the resident's name?")
        self.fields["pin"].help_text = _("Only if the resident chooses one: 4 to 8 digits.")


class KioskForm(IntakeForm):
    """The community screen: no photos, no map point, anonymous unless the resident chooses otherwise.

    Nothing is remembered by the browser: the next person at the screen must not see this one's entries.
    """

    field_order = ["kind", "category", "description", "address", "privacy", "name", "phone", "pin"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["place"]
        del self.fields["email"]
        self.fields["privacy"].initial = Privacy.ANONYMOUS
        for bound in self.fields.values():
            bound.widget.attrs.setdefault("autocomplete", "off")

    @property
    def chosen_place(self) -> Organisation:
        return self.choices.places[0]


def attribute_field(attribute: CategoryAttribute) -> forms.Field:
    """The form field that asks a category's question (an Open311 attribute)."""
    common = {"label": attribute.display_description, "required": attribute.required}
    options = [(str(choice.get("key")), choice.get("name") or str(choice.get("key"))) for choice in attribute.values]
    if attribute.datatype == AttributeType.SINGLE:
        return forms.ChoiceField(choices=[("", "—"), *options], **common)
    if attribute.datatype == AttributeType.MULTI:
        return forms.MultipleChoiceField(choices=options, widget=forms.CheckboxSelectMultiple, **common)
    if attribute.datatype == AttributeType.NUMBER:
        return forms.DecimalField(widget=forms.NumberInput(attrs={"step": "any"}), **common)
    if attribute.datatype == AttributeType.DATETIME:
        return forms.CharField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), **common)
    if attribute.datatype == AttributeType.TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, **common)
    return forms.CharField(max_length=200, **common)


class LookupForm(forms.Form):
    code = forms.CharField(
        label=_("Tracking code"), max_length=20,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Eight letters and digits, for example 7K3M-9QPA."),
    )
    pin = forms.CharField(
        label=_("PIN, if you chose one"), max_length=8, required=False,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class PinForm(forms.Form):
    pin = forms.CharField(
        label=_("PIN"), max_length=8,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class VerdictForm(forms.Form):
    solved = forms.ChoiceField(label=_("Is the problem solved?"), choices=YES_NO, widget=forms.RadioSelect)
    satisfied = forms.ChoiceField(
        label=_("Are you satisfied with the answer?"), choices=YES_NO, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Anything to add? (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def verdict(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"solved": data["solved"] == "yes", "satisfied": data["satisfied"] == "yes", "comment": data["comment"]}


def decimal_or_none(value: str | None) -> Decimal | None:
    """A coordinate from a query string, or None when it is absent or not a number."""
    try:
        number = Decimal((value or "").strip())
    except ArithmeticError:
        return None
    return number if number.is_finite() else None
