"""A village team's tasks for its week, shown with their progress on the village's bulletin: set by
the organisation's managers or by the team, updated and removed while the team keeps its record."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tongxin.community.models import Organisation
from tongxin.core.audit import record_audit
from tongxin.core.errors import ActionError

from ..models import RotaWeek, WeeklyTask
from ..permissions import can_keep_team_record
from .handover import require_team_village
from .rota import _account, require

MAX_TASK_TITLE = 200
MAX_TASK_PROGRESS = 5000


def set_task(*, actor: Any, week: RotaWeek, village: Organisation, title: str) -> WeeklyTask:
    """A new task for the village's team of `week`."""
    require(can_keep_team_record(actor, week, village))
    require_team_village(week, village)
    title = _checked_title(title)
    with transaction.atomic():
        task = WeeklyTask.objects.create(week=week, village=village, title=title, set_by=_account(actor))
        record_audit(actor=actor, verb="duty.task.set", target=task, data={"week": week.pk, "village": village.pk, "title": title})
    return task


def update_task(
    *, actor: Any, task: WeeklyTask, progress: str | None = None, done: bool | None = None, title: str | None = None
) -> WeeklyTask:
    """Change what is given (None leaves a field as it is): the title, the progress, done or not."""
    require(can_keep_team_record(actor, task.week, task.village))
    changes: dict[str, Any] = {}
    if title is not None:
        changes["title"] = _checked_title(title)
    if progress is not None:
        progress = progress.strip()
        if len(progress) > MAX_TASK_PROGRESS:
            raise ActionError(_("The progress has at most %(max)d characters.") % {"max": MAX_TASK_PROGRESS})
        changes["progress"] = progress
    if done is not None:
        changes["done"] = done
    with transaction.atomic():
        task = WeeklyTask.objects.select_for_update().select_related("week__rota__organisation", "village").get(pk=task.pk)
        for name, value in changes.items():
            setattr(task, name, value)
        task.save(update_fields=[*changes, "updated_at"])
        record_audit(actor=actor, verb="duty.task.update", target=task, data=changes)
    return task


def remove_task(*, actor: Any, task: WeeklyTask) -> None:
    """Take a task off the team's list (and off the bulletin)."""
    require(can_keep_team_record(actor, task.week, task.village))
    with transaction.atomic():
        task = WeeklyTask.objects.select_for_update().filter(pk=task.pk).first()
        if task is None:
            raise ActionError(_("That task has been removed already."), status=404)
        record_audit(
            actor=actor, verb="duty.task.remove", target=task,
            data={"week": task.week_id, "village": task.village_id, "title": task.title, "done": task.done},
        )
        task.delete()


def _checked_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise ActionError(_("Give the task a title."))
    if len(title) > MAX_TASK_TITLE:
        raise ActionError(_("A task's title has at most %(max)d characters.") % {"max": MAX_TASK_TITLE})
    return title
