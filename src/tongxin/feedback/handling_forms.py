"""Forms of the handlers' workbench and the feedback settings. They parse input; the actions decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tongxin.community.forms import CommunityForm, DateInput
from tongxin.community.models import Organisation

from .actions import MAX_NOTE
from .models import Category, Channel, Status, TierChoices, UnitChoices

SORTS = {
    "newest": ("-submitted_at", "-pk"),
    "oldest": ("submitted_at", "pk"),
    "deadline": ("answer_due", "pk"),
}
PHOTO_TYPES = "image/jpeg,image/png,image/webp"


def _any(label: Any = None) -> list[tuple[str, Any]]:
    return [("", label or _("Any"))]


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return obj.display_name


class AccountChoiceField(forms.ModelChoiceField):
    """Accounts by their person's name (the queryset selects `person`), else the username."""

    def label_from_instance(self, obj: Any) -> str:
        person = getattr(obj, "person", None)
        return person.display_name if person is not None else (obj.get_full_name() or obj.get_username())


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return obj.display_name


def _category_field(label: Any, empty: Any) -> CategoryChoiceField:
    return CategoryChoiceField(Category.objects.all(), label=label, required=False, empty_label=empty)


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos from one input; the action checks each is a real image of a fair size."""

    widget = MultiplePhotoInput(attrs={"accept": PHOTO_TYPES})

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, (list, tuple)) else [data]
        return [super(PhotosField, self).clean(item, initial) for item in files if item]


# -- The case list ---------------------------------------------------------------------------------


class CaseFilterForm(CommunityForm):
    q = forms.CharField(
        label=_("Search"), required=False, max_length=200, help_text=_("Words from the description, or a tracking code.")
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[*_any(), ("open", _("Open (awaiting an answer)")), ("overdue", _("Overdue")), *Status.choices],
    )
    category = _category_field(_("Category"), _("Any"))
    organisation = OrganisationChoiceField(
        Organisation.objects.none(), label=_("Place"), required=False, empty_label=_("Any"),
        help_text=_("Cases there and in the places below it."),
    )
    workgroup = OrganisationChoiceField(Organisation.objects.none(), label=_("Workgroup"), required=False, empty_label=_("Any"))
    tier = forms.ChoiceField(label=_("Deadline tier"), required=False, choices=[*_any(), *TierChoices.choices])
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[*_any(), *Channel.choices])
    submitted_from = forms.DateField(label=_("Submitted from"), required=False, widget=DateInput())
    submitted_to = forms.DateField(label=_("Submitted until"), required=False, widget=DateInput())
    mine = forms.BooleanField(label=_("Only cases I hold"), required=False)
    sort = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[("newest", _("Newest first")), ("oldest", _("Oldest first")), ("deadline", _("Answer due soonest"))],
    )

    def __init__(self, *args: Any, places: QuerySet[Organisation], workgroups: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = places
        self.fields["workgroup"].queryset = workgroups


# -- Steps on a case -------------------------------------------------------------------------------


def _text(label: Any, *, required: bool, help_text: Any = "", rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=MAX_NOTE,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class AcknowledgeForm(CommunityForm):
    text = _text(_("Message to the reporter"), required=False, rows=2)


class TakeForm(CommunityForm):
    pass


class AssignForm(CommunityForm):
    workgroup = OrganisationChoiceField(Organisation.objects.none(), label=_("Workgroup"), required=False, empty_label=_("Keep the present workgroup"))
    handler = AccountChoiceField(get_user_model().objects.none(), label=_("Handler"), required=False, empty_label=_("Nobody yet"))
    text = _text(_("Internal note"), required=False, rows=2)

    def __init__(self, *args: Any, workgroups: QuerySet[Organisation], handlers: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["workgroup"].queryset = workgroups
        self.fields["handler"].queryset = handlers


class ProgressForm(CommunityForm):
    text = _text(_("What was done"), required=False)
    public = forms.BooleanField(
        label=_("Show this step to the reporter"),
        required=False,
        initial=True,
        help_text=_("Unticked: an internal note, seen only by staff."),
    )
    photos = PhotosField(label=_("Photos"), required=False)


class AnswerForm(CommunityForm):
    text = _text(_("Answer to the reporter"), required=True, rows=6)
    photos = PhotosField(label=_("Photos"), required=False)


class ReopenForm(CommunityForm):
    text = _text(_("Why the case is reopened"), required=True, rows=2)


class CloseForm(CommunityForm):
    text = _text(_("Note"), required=False, rows=2)


class MergeForm(CommunityForm):
    into = forms.CharField(label=_("Tracking code of the case it repeats"), max_length=20)
    text = _text(_("Note"), required=False, rows=2)


class ReferForm(CommunityForm):
    to = OrganisationChoiceField(Organisation.objects.none(), label=_("Refer to"), required=False)
    text = _text(_("Why the case goes up"), required=True, rows=2)

    def __init__(self, *args: Any, targets: QuerySet[Organisation], default_label: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = targets
        self.fields["to"].empty_label = default_label


class DeclineForm(CommunityForm):
    text = _text(_("Reason, as the reporter will read it"), required=True, rows=3)


class PublishForm(CommunityForm):
    published = forms.BooleanField(required=False, widget=forms.HiddenInput)
    text = _text(_("Note"), required=False, rows=2)


class TopicForm(CommunityForm):
    council = OrganisationChoiceField(Organisation.objects.none(), label=_("Consultation council"), empty_label=None)
    title = forms.CharField(label=_("Topic title"), max_length=200)
    description = _text(_("Description"), required=False, rows=3)
    other_cases = forms.CharField(
        label=_("Other cases behind it"),
        required=False,
        max_length=1000,
        help_text=_("Their tracking codes, separated by spaces or commas."),
    )

    def __init__(self, *args: Any, councils: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = councils


# -- Feedback settings ------------------------------------------------------------------------------


class RoutingRuleForm(CommunityForm):
    category = _category_field(_("Category"), _("Every category"))
    workgroup = OrganisationChoiceField(Organisation.objects.none(), label=_("Handled by"))
    priority = forms.IntegerField(
        label=_("Priority"), initial=0, min_value=-1000, max_value=1000, help_text=_("Higher wins between equal rules.")
    )

    def __init__(self, *args: Any, workgroups: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["workgroup"].queryset = workgroups


class DeadlinePolicyForm(CommunityForm):
    tier = forms.ChoiceField(label=_("Deadline tier"), choices=TierChoices.choices)
    category = _category_field(_("Category"), _("Every category of the tier"))
    dispatch_amount = forms.IntegerField(label=_("Dispatch within"), max_value=10000)
    dispatch_unit = forms.ChoiceField(label=_("Unit"), choices=UnitChoices.choices)
    answer_amount = forms.IntegerField(label=_("Answer within"), max_value=10000)
    answer_unit = forms.ChoiceField(label=_("Unit"), choices=UnitChoices.choices)


class CalendarDayForm(CommunityForm):
    day = forms.DateField(label=_("Day"), widget=DateInput())
    working = forms.TypedChoiceField(
        label=_("Kind of day"),
        choices=[("0", _("Holiday")), ("1", _("Make-up working day"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        initial="0",
    )
    name = forms.CharField(label=_("Name"), max_length=100, required=False)


class ResponseTemplateForm(CommunityForm):
    title = forms.CharField(label=_("Title"), max_length=100)
    text = _text(_("Text"), required=True, rows=5)
    category = _category_field(_("Category"), _("Every category"))
