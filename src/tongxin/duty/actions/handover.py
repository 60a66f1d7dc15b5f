"""The handover from one village team to the next: the notes a team leaves, and the open problems
that follow on their own (the ledger carries them over)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tongxin.community.models import Organisation
from tongxin.core.audit import record_audit
from tongxin.core.errors import ActionError

from ..ledger import LedgerLine, team_ledger
from ..models import Handover, Rota, RotaWeek
from ..permissions import can_keep_team_record, is_team_village
from .rota import _account, require

MAX_HANDOVER_NOTES = 10000


def require_team_village(week: RotaWeek, village: Organisation) -> None:
    if not is_team_village(week, village):
        raise ActionError(
            _("%(village)s is not a village that %(organisation)s sends teams to.")
            % {"village": village.display_name, "organisation": week.rota.organisation.display_name},
            status=404,
        )


def write_handover(*, actor: Any, week: RotaWeek, village: Organisation, notes: str) -> Handover:
    """The team's notes for the next team of the village, written or rewritten."""
    require(can_keep_team_record(actor, week, village))
    require_team_village(week, village)
    notes = notes.strip()
    if not notes:
        raise ActionError(_("Write what the next team should know."))
    if len(notes) > MAX_HANDOVER_NOTES:
        raise ActionError(_("Handover notes have at most %(max)d characters.") % {"max": MAX_HANDOVER_NOTES})
    with transaction.atomic():
        handover = Handover.objects.select_for_update().filter(week=week, village=village).first()
        rewritten = handover is not None
        if handover is None:
            try:
                with transaction.atomic():  # two team mates writing the first notes at once
                    handover = Handover.objects.create(week=week, village=village, notes=notes, written_by=_account(actor))
            except IntegrityError:
                raise ActionError(_("A team mate has just written the handover: read it and write again."), status=409) from None
        else:
            handover.notes, handover.written_by = notes, _account(actor)
            handover.save(update_fields=["notes", "written_by", "written_at"])
        record_audit(
            actor=actor, verb="duty.handover.write", target=handover,
            data={"week": week.pk, "village": village.pk, "rewritten": rewritten, "notes": notes},
        )
    return handover


def previous_week(week: RotaWeek) -> RotaWeek | None:
    """The week before in the same rota; for a rota's first week, the last week of the
    organisation's previous published rota."""
    if week.number > 1:
        return RotaWeek.objects.select_related("rota").filter(rota_id=week.rota_id, number=week.number - 1).first()
    rota = (
        Rota.objects.of(week.rota.organisation).published()
        .filter(start__lt=week.rota.start).exclude(pk=week.rota_id)
        .order_by("-start", "-pk").first()
    )
    if rota is None:
        return None
    return rota.rota_weeks.select_related("rota").order_by("-number").first()


def handover_for(week: RotaWeek, village: Organisation) -> Handover | None:
    """What the village's previous team left this one, if they wrote anything."""
    before = previous_week(week)
    if before is None:
        return None
    return Handover.objects.select_related("week", "written_by").filter(week=before, village=village).first()


def carried_over(week: RotaWeek, village: Organisation) -> list[LedgerLine]:
    """Problems earlier teams heard in the village that were still open when this week began."""
    return [line for line in team_ledger(week, village) if line.carried_over]
