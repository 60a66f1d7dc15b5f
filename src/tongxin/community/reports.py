"""Composition reports: an organisation's rule set resolved, facts gathered, findings worded.

The rules themselves live in `composition.py` (pure). Here: which rule set an organisation gets
(its own pick, else the default for its kind and the level of its place), the facts read from
the database in four queries however many organisations are checked, and a translated sentence
for every finding. Organisations without composition rules (places, governments, council
offices, social organisations, unless they pick a rule set) have no report: `None`.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, NamedTuple, cast

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tongxin.core.errors import ActionError
from tongxin.core.i18n import join_list, localised

from . import composition
from .models import PLACE_KINDS, Membership, Organisation, OrganisationKind, Role

RULE_SET_LABELS = {
    "town_consultation_council": gettext_lazy("Town consultation council"),
    "village_consultation_council": gettext_lazy("Village consultation council"),
    "village_committee": gettext_lazy("Village committee"),
    "party_branch": gettext_lazy("Party branch"),
    "party_committee": gettext_lazy("Party committee"),
    "workgroup": gettext_lazy("Workgroup"),
    "supervision_group": gettext_lazy("Supervision group"),
    "leading_party_group": gettext_lazy("Leading party members' group"),
}

SETTING_LABELS = {
    "min_members": gettext_lazy("Fewest members"),
    "max_members": gettext_lazy("Most members"),
    "min_non_party_percent": gettext_lazy("Smallest share of non-party members"),
    "min_women": gettext_lazy("Fewest women"),
    "leader_role": gettext_lazy("Leading role"),
    "leader_also_holds_role": gettext_lazy("The leader also holds the role"),
    "leader_also_holds_in": gettext_lazy("… in a body of the same place of kind"),
    "required_bodies": gettext_lazy("Bodies it must have"),
    "min_full_members": gettext_lazy("Fewest full party members"),
    "committee_from_full_members": gettext_lazy(
        "A committee is needed from this many full members"
    ),
    "committee_min": gettext_lazy("Smallest committee"),
    "committee_max": gettext_lazy("Largest committee"),
    "committee_normal_max": gettext_lazy("Largest committee, normally"),
    "committee_full_members": gettext_lazy("Committee members must be full party members"),
    "all_full_members": gettext_lazy("All members must be full party members"),
    "answers_to_approver": gettext_lazy("Must answer to the organisation that approved it"),
    "independent_members": gettext_lazy("Members may not sit in the bodies it oversees"),
    "independent_of": gettext_lazy("Bodies it oversees"),
}

SETTINGS_ERROR_RULE = "settings"


@dataclass(frozen=True)
class Finding:
    """One rule applied to one organisation, worded for people."""

    rule: str
    ok: bool
    severity: str  # "error" | "warning"
    message: str
    expected: str
    actual: str


@dataclass(frozen=True)
class CompositionReport:
    """Every finding of an organisation's rule set; `settings` lists the numbers that applied."""

    organisation: Organisation
    rule_set: str
    rule_set_label: str
    findings: list[Finding]
    settings: list[tuple[str, str]] = field(default_factory=list)

    @property
    def violations(self) -> list[Finding]:
        return [finding for finding in self.findings if not finding.ok]

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def errors(self) -> list[Finding]:
        """The violations that are errors, not warnings."""
        return [finding for finding in self.violations if finding.severity == composition.ERROR]

    def as_dict(self) -> dict[str, Any]:
        return {
            "organisation": {
                "id": self.organisation.pk,
                "name": self.organisation.display_name,
                "kind": self.organisation.kind,
            },
            "rule_set": self.rule_set,
            "rule_set_label": self.rule_set_label,
            "ok": self.ok,
            "findings": [dataclasses.asdict(finding) for finding in self.findings],
        }


def rule_set_choices() -> list[tuple[str, str]]:
    """Every named rule set as (code, label) for a form, which adds the blank "default" choice."""
    return [(code, str(RULE_SET_LABELS[code])) for code in composition.RULE_SETS]


def rule_set_label(code: str) -> str:
    return str(RULE_SET_LABELS.get(code, code))


def describe_rule_set(code: str, overrides: Any = None) -> list[tuple[str, str]]:
    """The settings a rule set switches on, as (label, value), with the adjustments applied.

    A setting the adjustments switch off is listed as "not checked". Raises `ActionError` for an
    unknown rule set or adjustments that cannot be applied.
    """
    return _describe(composition.RULE_SETS.get(code), _effective_rule_set(code, overrides))


def check_composition_settings(
    *, kind: str, level: str | None, rule_set: str, overrides: Any
) -> None:
    """Raise `ActionError` unless the rule set and adjustments apply to such an organisation.

    For actions that save `composition_rule_set` and `composition_overrides`.
    """
    code = rule_set or composition.default_rule_set_code(kind, level)
    if code:
        _effective_rule_set(code, overrides)
    elif overrides:
        raise ActionError(
            _(
                "No composition rules apply to this kind of organisation, "
                "so there are no numbers to adjust."
            )
        )


def composition_report(
    organisation: Organisation,
    on: datetime.date | None = None,
    *,
    current_seats: Iterable[Membership] | None = None,
) -> CompositionReport | None:
    """The organisation's composition on `on` (today) against its rules; None when it has none.

    A page that has read the organisation's memberships current on that day, with their people,
    passes them as `current_seats` and saves the report a query.
    """
    known = None if current_seats is None else {organisation.pk: list(current_seats)}
    reports = _composition_reports([organisation], on=on, known_seats=known)
    return reports[0] if reports else None


def composition_reports(
    organisations: Iterable[Organisation], *, on: datetime.date | None = None
) -> list[CompositionReport]:
    """Reports for those of `organisations` that have rules, in their order, from four queries."""
    return _composition_reports(organisations, on=on, known_seats=None)


def _composition_reports(
    organisations: Iterable[Organisation],
    *,
    on: datetime.date | None,
    known_seats: dict[int, list[Membership]] | None,
) -> list[CompositionReport]:
    day = on or timezone.localdate()
    candidates = [
        organisation
        for organisation in organisations
        if organisation.composition_rule_set or organisation.kind in composition.KINDS_WITH_DEFAULTS
    ]
    if not candidates:
        return []
    gathered = _Gathered.load(candidates, day, known_seats)
    reports = []
    for organisation in candidates:
        code = organisation.composition_rule_set or composition.default_rule_set_code(
            organisation.kind, gathered.level_of(organisation)
        )
        if code:
            reports.append(_report(organisation, code, gathered))
    return reports


def _report(organisation: Organisation, code: str, gathered: _Gathered) -> CompositionReport:
    base = composition.RULE_SETS.get(code)
    try:
        rule_set = _effective_rule_set(code, organisation.composition_overrides)
    except ActionError as error:
        # A misconfigured organisation still gets a page and a report: the error is its finding.
        problem = Finding(
            rule=SETTINGS_ERROR_RULE,
            ok=False,
            severity=composition.ERROR,
            message=str(error.message),
            expected=_("valid composition settings"),
            actual=_("invalid"),
        )
        return CompositionReport(organisation, code, rule_set_label(code), [problem])
    findings = composition.check(rule_set, gathered.facts_for(organisation))
    context = gathered.wording_context(organisation)
    worded = [_word(finding, context) for finding in findings]
    return CompositionReport(
        organisation, code, rule_set_label(code), worded, _describe(base, rule_set)
    )


def _effective_rule_set(code: str, overrides: Any) -> composition.RuleSet:
    try:
        return composition.rule_set_for(
            code, overrides, known_roles=Role.values, known_kinds=OrganisationKind.values
        )
    except composition.SettingError as error:
        raise ActionError(_setting_error_message(error)) from None


# Gathering the facts ------------------------------------------------------------------------


def _active_on(day: datetime.date, prefix: str = "") -> Q:
    founded = Q(**{f"{prefix}founded_on__isnull": True}) | Q(**{f"{prefix}founded_on__lte": day})
    not_dissolved = Q(**{f"{prefix}dissolved_on__isnull": True}) | Q(
        **{f"{prefix}dissolved_on__gt": day}
    )
    return founded & not_dissolved


def _path_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


# The facts are read as plain rows, not model instances: a report reads a few hundred values,
# and building models for them costs more than the queries themselves.


class _SeatFact(NamedTuple):
    """A current seat of an organisation being checked, and what the report says of its holder."""

    person_id: int
    role: str
    gender: str
    party_status: str
    name: str
    name_latin: str


class _OtherSeat(NamedTuple):
    organisation_id: int
    kind: str
    role: str
    path: str


class _Named(NamedTuple):
    """A body under an organisation, or the organisation that approved it."""

    kind: str
    name: str
    name_en: str


@dataclass
class _Gathered:
    """The facts about a batch of organisations, read once and shared by their reports."""

    seats: dict[int, list[_SeatFact]]
    bodies: dict[int, list[_Named]]
    other_seats: dict[int, list[_OtherSeat]]
    places: dict[int, str]  # id of every place on the paths involved → its kind
    approvers: dict[int, _Named]
    _nearest: dict[str, int | None] = field(default_factory=dict)

    @classmethod
    def load(
        cls,
        organisations: Sequence[Organisation],
        day: datetime.date,
        known_seats: dict[int, list[Membership]] | None = None,
    ) -> _Gathered:
        ids = [organisation.pk for organisation in organisations]
        # No ordering: the facts are grouped in Python, and the default one joins and sorts.
        current = Membership.objects.current(on=day).order_by()
        people: QuerySet[Membership, dict[str, Any]] | list[int]
        if known_seats is None:
            seats = _seats_by_organisation(current.filter(organisation_id__in=ids))
            people = current.filter(organisation_id__in=ids).values("person_id")
        else:
            seats = _seat_facts(known_seats)
            people = sorted({seat.person_id for held in seats.values() for seat in held})
        other_seats = _seats_by_person(
            current.filter(person_id__in=people).filter(_active_on(day, "organisation__"))
        )
        path_ids = {pk for organisation in organisations for pk in _path_ids(organisation.path)}
        path_ids |= {
            pk for held in other_seats.values() for seat in held for pk in _path_ids(seat.path)
        }
        approver_ids = {o.approved_by_id for o in organisations if o.approved_by_id is not None}
        places, approvers = _places_and_approvers(path_ids, approver_ids)
        return cls(seats, _bodies_by_parent(ids, day), other_seats, places, approvers)

    def nearest_place(self, path: str) -> int | None:
        if path not in self._nearest:
            self._nearest[path] = next(
                (pk for pk in reversed(_path_ids(path)) if pk in self.places), None
            )
        return self._nearest[path]

    def level_of(self, organisation: Organisation) -> str | None:
        place = self.nearest_place(organisation.path)
        return str(PLACE_KINDS[OrganisationKind(self.places[place])]) if place is not None else None

    def facts_for(self, organisation: Organisation) -> composition.Facts:
        seats = tuple(
            composition.Seat(
                person_id=seat.person_id,
                gender=seat.gender,
                party_status=seat.party_status,
                role=seat.role,
            )
            for seat in self.seats[organisation.pk]
        )
        return composition.Facts(
            seats=seats,
            other_seats=self._other_seats_in_place(
                organisation, {seat.person_id for seat in seats}
            ),
            body_kinds=frozenset(body.kind for body in self.bodies[organisation.pk]),
            has_approver=organisation.approved_by_id is not None,
        )

    def _other_seats_in_place(
        self, organisation: Organisation, person_ids: set[int]
    ) -> tuple[composition.OtherSeat, ...]:
        place = self.nearest_place(organisation.path)
        if place is None:
            return ()
        return tuple(
            composition.OtherSeat(person_id=person_id, kind=seat.kind, role=seat.role)
            for person_id in sorted(person_ids)
            for seat in self.other_seats[person_id]
            if seat.organisation_id != organisation.pk and self.nearest_place(seat.path) == place
        )

    def wording_context(self, organisation: Organisation) -> _Context:
        names = {
            seat.person_id: localised(seat.name, seat.name_latin)
            for seat in self.seats[organisation.pk]
        }
        bodies: dict[str, list[str]] = defaultdict(list)
        for body in self.bodies[organisation.pk]:
            bodies[body.kind].append(localised(body.name, body.name_en))
        approver = (
            self.approvers.get(organisation.approved_by_id) if organisation.approved_by_id else None
        )
        return _Context(
            names=names,
            bodies=bodies,
            approver=localised(approver.name, approver.name_en) if approver else "",
        )


def _seats_by_organisation(memberships: QuerySet[Membership]) -> dict[int, list[_SeatFact]]:
    seats: dict[int, list[_SeatFact]] = defaultdict(list)
    rows = memberships.order_by("pk").values_list(
        "organisation_id",
        "person_id",
        "role",
        "person__gender",
        "person__party_status",
        "person__name",
        "person__name_latin",
    )
    for organisation_id, *fact in rows:
        seats[organisation_id].append(_SeatFact(*fact))
    return seats


def _seat_facts(memberships: dict[int, list[Membership]]) -> dict[int, list[_SeatFact]]:
    """The same facts from memberships already read with their people."""
    seats: dict[int, list[_SeatFact]] = defaultdict(list)
    for organisation_id, held in memberships.items():
        seats[organisation_id] = [
            _SeatFact(
                membership.person_id,
                membership.role,
                membership.person.gender,
                membership.person.party_status,
                membership.person.name,
                membership.person.name_latin,
            )
            for membership in sorted(held, key=lambda membership: membership.pk)
        ]
    return seats


def _bodies_by_parent(ids: list[int], day: datetime.date) -> dict[int, list[_Named]]:
    bodies: dict[int, list[_Named]] = defaultdict(list)
    children = (
        Organisation.objects.filter(parent_id__in=ids).filter(_active_on(day)).order_by("path")
    )
    for parent_id, kind, name, name_en in children.values_list(
        "parent_id", "kind", "name", "name_en"
    ):
        bodies[parent_id or 0].append(_Named(kind, name, name_en))
    return bodies


def _seats_by_person(memberships: QuerySet[Membership]) -> dict[int, list[_OtherSeat]]:
    """Every current seat of the people concerned, with where it lies in the tree."""
    seats: dict[int, list[_OtherSeat]] = defaultdict(list)
    rows = memberships.order_by().values_list(
        "person_id", "organisation_id", "organisation__kind", "role", "organisation__path"
    )
    for person_id, organisation_id, kind, role, path in rows:
        seats[person_id].append(_OtherSeat(organisation_id, kind, role, path))
    return seats


def _places_and_approvers(
    path_ids: set[int], approver_ids: set[int]
) -> tuple[dict[int, str], dict[int, _Named]]:
    """The places among `path_ids` (id → kind) and the approving organisations, in one query."""
    related = Organisation.objects.filter(
        Q(pk__in=path_ids, kind__in=list(PLACE_KINDS)) | Q(pk__in=approver_ids)
    ).order_by()
    places: dict[int, str] = {}
    approvers: dict[int, _Named] = {}
    for pk, kind, name, name_en in related.values_list("id", "kind", "name", "name_en"):
        if kind in PLACE_KINDS and pk in path_ids:
            places[pk] = kind
        if pk in approver_ids:
            approvers[pk] = _Named(kind, name, name_en)
    return places, approvers


# Wording the findings -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    names: dict[int, str]
    bodies: dict[str, list[str]]
    approver: str


Wording = tuple[str, str, str]  # message, expected, actual


def _word(finding: composition.Finding, context: _Context) -> Finding:
    message, expected, actual = WORDINGS[finding.family](finding, context)
    return Finding(
        rule=finding.rule,
        ok=finding.ok,
        severity=finding.severity,
        message=message,
        expected=expected,
        actual=actual,
    )


def _role_label(role: object) -> str:
    # Mid-sentence in English; lower() leaves Chinese untouched.
    return str(Role(role).label).lower() if role in Role.values else str(role)


def _kind_label(kind: object) -> str:
    return str(OrganisationKind(kind).label) if kind in OrganisationKind.values else str(kind)


def _a_body(kind: object) -> str:
    """ "a party branch": a kind of organisation mid-sentence."""
    return _("a %(kind)s") % {"kind": _kind_label(kind).lower()}


def _a_role(role: object) -> str:
    """ "a chair": a role mid-sentence."""
    return _("a %(role)s") % {"role": _role_label(role)}


def _either(kinds: Iterable[object]) -> str:
    labels = [_a_body(kind) for kind in kinds]
    if not labels:
        return _("any body")
    if len(labels) == 1:
        return labels[0]
    return _("%(list)s or %(last)s") % {"list": join_list(labels[:-1]), "last": labels[-1]}


# The pure findings carry plain values typed `object`; these say what each one holds.
def _count(value: object) -> int:
    return cast(int, value)


def _codes(value: object) -> tuple[str, ...]:
    return cast(tuple[str, ...], value)


def _people(value: object, context: _Context) -> list[str]:
    return [context.names.get(pk, f"#{pk}") for pk in cast(tuple[int, ...], value)]


def _at_least(count: object) -> str:
    return _("at least %(count)s") % {"count": count}


def _at_most(count: object) -> str:
    return _("at most %(count)s") % {"count": count}


def _share(count: int, total: int, required: int) -> str:
    """The percentage, rounded, except that 49.7% never shows as a passing 50%."""
    if total == 0:
        return "0%"
    exact = Fraction(100 * count, total)
    whole = math.floor(exact + Fraction(1, 2))
    if exact < required <= whole:
        return f"{number_format(math.floor(exact * 10) / 10, 1)}%"
    return f"{whole}%"


def _there_are(count: int) -> str:
    """ "there is 1", "there are 2": the count found, in its own plural."""
    return ngettext("there is %(count)d", "there are %(count)d", count) % {"count": count}


def _word_min_members(finding: composition.Finding, context: _Context) -> Wording:
    minimum, count = _count(finding.expected), _count(finding.actual)
    message = ngettext(
        "There must be at least %(minimum)d member: %(found)s.",
        "There must be at least %(minimum)d members: %(found)s.",
        minimum,
    ) % {"minimum": minimum, "found": _there_are(count)}
    return message, _at_least(minimum), str(count)


def _word_max_members(finding: composition.Finding, context: _Context) -> Wording:
    maximum, count = _count(finding.expected), _count(finding.actual)
    message = ngettext(
        "There may be at most %(maximum)d member: %(found)s.",
        "There may be at most %(maximum)d members: %(found)s.",
        maximum,
    ) % {"maximum": maximum, "found": _there_are(count)}
    return message, _at_most(maximum), str(count)


def _word_non_party_share(finding: composition.Finding, context: _Context) -> Wording:
    percent, count = _count(finding.expected), _count(finding.actual)
    total = _count(finding.params["total"])
    values = {
        "percent": percent,
        "count": count,
        "total": total,
        "share": _share(count, total, percent),
    }
    if percent == 50:
        message = ngettext(
            "At least half of the members must be non-party: "
            "%(count)d of %(total)d is (%(share)s).",
            "At least half of the members must be non-party: "
            "%(count)d of %(total)d are (%(share)s).",
            count,
        )
    else:
        message = ngettext(
            "At least %(percent)d%% of the members must be non-party: "
            "%(count)d of %(total)d is (%(share)s).",
            "At least %(percent)d%% of the members must be non-party: "
            "%(count)d of %(total)d are (%(share)s).",
            count,
        )
    actual = _("%(count)d of %(total)d (%(share)s)") % values
    return message % values, _at_least(f"{percent}%"), actual


def _word_min_women(finding: composition.Finding, context: _Context) -> Wording:
    minimum, count = _count(finding.expected), _count(finding.actual)
    message = ngettext(
        "At least %(minimum)d member must be a woman: %(found)s.",
        "At least %(minimum)d members must be women: %(found)s.",
        minimum,
    ) % {"minimum": minimum, "found": _there_are(count)}
    return message, _at_least(minimum), str(count)


def _word_leader(finding: composition.Finding, context: _Context) -> Wording:
    holders = join_list(_people(finding.params["holders"], context))
    values = {"role": _role_label(finding.params["role"]), "holders": holders}
    if holders:
        message = _("There must be a %(role)s: %(holders)s.")
    else:
        message = _("There must be a %(role)s, but none is recorded.")
    return message % values, _a_role(finding.params["role"]), holders or _("none")


def _word_leader_also_holds(finding: composition.Finding, context: _Context) -> Wording:
    params = finding.params
    lacking = _people(params["lacking"], context)
    values = {
        "role": _role_label(params["role"]),
        "office": _role_label(params["office"]),
        "bodies": _either(_codes(params["bodies"])),
        "names": join_list(lacking or _people(params["holders"], context)),
    }
    if finding.ok:
        message = _("The %(role)s is also %(office)s of %(bodies)s in the same place: %(names)s.")
    else:
        message = ngettext(
            "The %(role)s should also be %(office)s of %(bodies)s in the same place: "
            "%(names)s is not.",
            "The %(role)s should also be %(office)s of %(bodies)s in the same place: "
            "%(names)s are not.",
            len(lacking),
        )
    expected = _("%(office)s of %(bodies)s") % values
    return message % values, expected, _("yes") if finding.ok else _("no")


def _word_body(finding: composition.Finding, context: _Context) -> Wording:
    kind = str(finding.params["kind"])
    names = join_list(context.bodies.get(kind, []))
    values = {"kind": _a_body(kind), "names": names}
    if names:
        message = _("It must have %(kind)s: %(names)s.")
    else:
        message = _("It must have %(kind)s, but none is recorded.")
    return message % values, _a_body(kind), names or _("none")


def _word_min_full_members(finding: composition.Finding, context: _Context) -> Wording:
    minimum, count = _count(finding.expected), _count(finding.actual)
    message = ngettext(
        "There must be at least %(minimum)d full party member: %(found)s.",
        "There must be at least %(minimum)d full party members: %(found)s.",
        minimum,
    ) % {"minimum": minimum, "found": _there_are(count)}
    return message, _at_least(minimum), str(count)


def _size_range(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return _("%(low)d to %(high)d") % {"low": low, "high": high}
    return _at_least(low) if low is not None else _at_most(high)


def _word_committee_size(finding: composition.Finding, context: _Context) -> Wording:
    low, high = cast(tuple[int | None, int | None], finding.expected)
    size = _size_range(low, high)
    values = {**finding.params, "size": size, "count": finding.actual}
    message = _(
        "With %(threshold)d or more full members there must be a committee of %(size)s: "
        "there are %(full)d full members and the committee has %(count)d."
    )
    return message % values, size, str(finding.actual)


def _word_committee_normal_size(finding: composition.Finding, context: _Context) -> Wording:
    values = {"maximum": finding.expected, "count": finding.actual}
    message = _("A committee normally has at most %(maximum)d members: it has %(count)d.") % values
    return message, _at_most(finding.expected), str(finding.actual)


def _all_full(lacking: int, total: int) -> tuple[str, str]:
    """Expected and found for "every one a full party member": "all 6" and "5 of 6"."""
    expected = ngettext("all %(total)d", "all %(total)d", total) % {"total": total}
    found = _("%(count)d of %(total)d") % {"count": total - lacking, "total": total}
    return expected, found


def _word_committee_full_members(finding: composition.Finding, context: _Context) -> Wording:
    # Counts, not names: a member's party status is personal data, and this report is public.
    lacking, total = _count(finding.actual), _count(finding.params["total"])
    message = ngettext(
        "Every committee member must be a full party member: %(count)d of %(total)d is not.",
        "Every committee member must be a full party member: %(count)d of %(total)d are not.",
        lacking,
    ) % {"count": lacking, "total": total}
    return message, *_all_full(lacking, total)


def _word_all_full_members(finding: composition.Finding, context: _Context) -> Wording:
    lacking, total = _count(finding.actual), _count(finding.params["total"])
    message = ngettext(
        "Every member must be a full party member: %(count)d of %(total)d is not.",
        "Every member must be a full party member: %(count)d of %(total)d are not.",
        lacking,
    ) % {"count": lacking, "total": total}
    return message, *_all_full(lacking, total)


def _word_answers_to(finding: composition.Finding, context: _Context) -> Wording:
    if context.approver:
        message = _("It must answer to the organisation that approved it: %(approver)s.")
    else:
        message = _("It must answer to the organisation that approved it, but none is recorded.")
    found = context.approver or _("none")
    return message % {"approver": context.approver}, _("an approving organisation"), found


def _word_independent_members(finding: composition.Finding, context: _Context) -> Wording:
    names = _people(finding.params["persons"], context)
    values = {"bodies": _either(_codes(finding.params["bodies"])), "names": join_list(names)}
    if finding.ok:
        message = _("No member may also sit in %(bodies)s of the same place: none does.")
    else:
        message = ngettext(
            "No member may also sit in %(bodies)s of the same place: %(names)s does.",
            "No member may also sit in %(bodies)s of the same place: %(names)s do.",
            len(names),
        )
    return message % values, _("nobody"), values["names"] or _("nobody")


WORDINGS: dict[str, Callable[[composition.Finding, _Context], Wording]] = {
    "min_members": _word_min_members,
    "max_members": _word_max_members,
    "non_party_share": _word_non_party_share,
    "min_women": _word_min_women,
    "leader": _word_leader,
    "leader_also_holds": _word_leader_also_holds,
    "body": _word_body,
    "min_full_members": _word_min_full_members,
    "committee_size": _word_committee_size,
    "committee_normal_size": _word_committee_normal_size,
    "committee_full_members": _word_committee_full_members,
    "all_full_members": _word_all_full_members,
    "answers_to": _word_answers_to,
    "independent_members": _word_independent_members,
}


# Describing rule sets and their errors ------------------------------------------------------


def _is_on(value: object) -> bool:
    return value not in (None, "", (), False)


def _describe(
    base: composition.RuleSet | None, rule_set: composition.RuleSet
) -> list[tuple[str, str]]:
    rows = []
    for setting in composition.SETTINGS:
        value = getattr(rule_set, setting)
        if _is_on(value) or (base is not None and _is_on(getattr(base, setting))):
            rows.append((str(SETTING_LABELS[setting]), _setting_display(setting, value)))
    return rows


def _setting_display(setting: str, value: Any) -> str:
    kind = composition.SETTINGS[setting]
    if kind == composition.SWITCH:
        return _("yes") if value else _("no")
    if not _is_on(value) and value != 0:
        return _("not checked")
    if kind == composition.PERCENT:
        return f"{value}%"
    if kind == composition.ROLE:
        return str(Role(value).label)
    if kind == composition.KINDS:
        return join_list(OrganisationKind(name).label for name in value)
    return str(value)


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


WRONG_TYPE_MESSAGES = {
    composition.COUNT: gettext_lazy(
        "“%(setting)s” must be a whole number, or null to switch the rule off; %(value)s is not."
    ),
    composition.PERCENT: gettext_lazy(
        "“%(setting)s” must be a whole number of percent, or null to switch the rule off; "
        "%(value)s is not."
    ),
    composition.SWITCH: gettext_lazy("“%(setting)s” must be true or false; %(value)s is not."),
    composition.ROLE: gettext_lazy(
        '“%(setting)s” must be the code of a role, or "" for none; %(value)s is not.'
    ),
    composition.KINDS: gettext_lazy(
        "“%(setting)s” must be a list of codes of kinds of organisation; %(value)s is not."
    ),
}


def _setting_error_message(error: composition.SettingError) -> str:
    values = {
        "setting": error.setting,
        "value": _json(error.value),
        "other": error.other,
        "other_value": _json(error.other_value),
    }
    problem = error.problem
    if problem == error.UNKNOWN_RULE_SET:
        values["choices"] = ", ".join(composition.RULE_SETS)
        return (
            _("There are no composition rules called %(value)s. Choose one of: %(choices)s.")
            % values
        )
    if problem == error.NOT_A_MAPPING:
        return (
            _(
                "The adjusted composition numbers must be named settings, "
                'such as {"min_members": 25}; %(value)s is not.'
            )
            % values
        )
    if problem == error.UNKNOWN_SETTING:
        values["known"] = ", ".join(composition.SETTINGS)
        return (
            _("“%(setting)s” is not a composition setting. The settings are: %(known)s.") % values
        )
    if problem == error.WRONG_TYPE:
        return str(WRONG_TYPE_MESSAGES[composition.SETTINGS[error.setting]]) % values
    if problem == error.OUT_OF_RANGE and composition.SETTINGS[error.setting] == composition.PERCENT:
        return _("“%(setting)s” must lie between 0 and 100; %(value)s does not.") % values
    if problem == error.OUT_OF_RANGE:
        return _("“%(setting)s” cannot be negative; %(value)s is.") % values
    if problem == error.UNKNOWN_NAME:
        names = (
            Role.values
            if composition.SETTINGS[error.setting] == composition.ROLE
            else OrganisationKind.values
        )
        values["known"] = ", ".join(names)
        return _("“%(setting)s” names %(value)s, which is not one of: %(known)s.") % values
    return (
        _("“%(setting)s” (%(value)s) cannot be larger than “%(other)s” (%(other_value)s).") % values
    )
