"""Task progress (任务进度): visits, calls and meetings planned and done."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guanxi.accounts.enums import Action, Module
from guanxi.accounts.rules import require
from guanxi.common import clock
from guanxi.common.history import log_create, log_event, log_update, snapshot, stamp
from guanxi.common.models import AuditAction
from guanxi.common.versioning import bump_version

from ..enums import TaskStatus
from ..models import Task
from .common import assign, check_customer, check_owner

FIELDS = {
    "customer",
    "opportunity",
    "salesperson",
    "date",
    "time",
    "work_method",
    "purpose",
    "location",
    "result",
}


def _check_opportunity(task: Task) -> None:
    if task.opportunity_id and task.opportunity.customer_id != task.customer_id:
        raise ValidationError({"opportunity": _("This opportunity belongs to another customer.")})


@transaction.atomic
def task_create(*, actor: Any, **fields: Any) -> Task:
    require(actor, Module.TASKS, Action.CREATE)
    fields.setdefault("salesperson", actor)
    task = Task()
    assign(task, fields, FIELDS)
    task.customer = check_customer(actor, task.customer_id and task.customer)
    check_owner(actor, Module.TASKS, task.salesperson, field="salesperson")
    _check_opportunity(task)
    stamp(task, actor, new=True)
    task.full_clean()
    task.save()
    log_create(user=actor, instance=task, parent=task.customer)
    return task


@transaction.atomic
def task_update(
    *, actor: Any, task: Task, expected_version: int | None = None, **fields: Any
) -> Task:
    require(actor, Module.TASKS, Action.CHANGE)
    task = Task.objects.select_for_update().get(pk=task.pk)
    bump_version(task, expected_version)
    before = snapshot(task)
    old_customer_id, old_person_id = task.customer_id, task.salesperson_id
    assign(task, fields, FIELDS)
    if task.customer_id != old_customer_id:
        task.customer = check_customer(actor, task.customer)
    if task.salesperson_id != old_person_id:
        check_owner(actor, Module.TASKS, task.salesperson, field="salesperson")
    _check_opportunity(task)
    stamp(task, actor, new=False)
    task.full_clean()
    task.save()
    log_update(user=actor, instance=task, before=before, parent=task.customer)
    return task


@transaction.atomic
def task_complete(
    *, actor: Any, task: Task, result: str, expected_version: int | None = None
) -> Task:
    """Mark a planned task done; what came of it is required."""
    require(actor, Module.TASKS, Action.CHANGE)
    task = Task.objects.select_for_update().select_related("customer").get(pk=task.pk)
    bump_version(task, expected_version)
    if task.status == TaskStatus.DONE:
        raise ValidationError(_("This task is done already."))
    result = (result or "").strip()
    if not result:
        raise ValidationError({"result": _("Record what came of the task.")})
    before = snapshot(task)
    task.status, task.result, task.done_at = TaskStatus.DONE, result, clock.now()
    stamp(task, actor, new=False)
    task.save()
    log_update(
        user=actor,
        instance=task,
        before=before,
        parent=task.customer,
        action=AuditAction.TRANSITION,
    )
    return task


@transaction.atomic
def task_reopen(*, actor: Any, task: Task, expected_version: int | None = None) -> Task:
    require(actor, Module.TASKS, Action.CHANGE)
    task = Task.objects.select_for_update().select_related("customer").get(pk=task.pk)
    bump_version(task, expected_version)
    if task.status != TaskStatus.DONE:
        raise ValidationError(_("This task is not done."))
    before = snapshot(task)
    task.status, task.done_at = TaskStatus.PLANNED, None
    stamp(task, actor, new=False)
    task.save()
    log_update(
        user=actor,
        instance=task,
        before=before,
        parent=task.customer,
        action=AuditAction.TRANSITION,
    )
    return task


@transaction.atomic
def task_delete(*, actor: Any, task: Task, expected_version: int | None = None) -> None:
    require(actor, Module.TASKS, Action.DELETE)
    task = Task.objects.select_related("customer").get(pk=task.pk)
    bump_version(task, expected_version)
    log_event(action=AuditAction.DELETE, user=actor, instance=task, parent=task.customer)
    task.delete()
