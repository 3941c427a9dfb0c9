"""Writes for users, departments and roles. Each stamps who/when and leaves a history entry."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guanxi.common.history import log_create, log_event, log_update, snapshot, stamp
from guanxi.common.models import AuditAction
from guanxi.common.tree import check_not_own_descendant, path_for, reroot_subtree, subtree_ids

from .enums import ALL_PERMISSIONS, Action, Module
from .models import Department, Role, User
from .rules import can, forget_grants

USER_FIELDS = (
    "username",
    "display_name",
    "gender",
    "department",
    "phone",
    "email",
    "address",
    "language",
    "is_active",
)


# --- users -------------------------------------------------------------------------------


def _administrators_exist() -> bool:
    """Is there an active user who may manage roles and permissions?"""
    admin_roles = [
        r.pk for r in Role.objects.filter(is_active=True) if "roles.change" in (r.permissions or [])
    ]
    return User.objects.filter(is_active=True, roles__in=admin_roles).exists()


def _ensure_an_administrator_remains(had: bool) -> None:
    """Someone active must still be able to manage roles, or nobody could ever fix them.
    Called inside the write's transaction, so a refused change leaves nothing behind."""
    if had and not _administrators_exist():
        raise ValidationError(
            _("This would leave no active user who can manage roles and permissions.")
        )


def _check_may_assign_roles(actor: Any) -> None:
    if getattr(actor, "pk", None) and not can(actor, Module.ROLES, Action.CHANGE):
        raise PermissionDenied(_("Only a user who may change roles can assign them."))


@transaction.atomic
def user_create(
    *, actor: Any, username: str, password: str, roles: Iterable[Role] = (), **fields: Any
) -> User:
    user = User(username=username)
    for name, value in fields.items():
        if name not in USER_FIELDS:
            raise TypeError(f"unknown user field {name}")
        setattr(user, name, value)
    validate_password(password, user)
    user.set_password(password)
    stamp(user, actor, new=True)
    user.full_clean(exclude=["password"])
    if roles:
        _check_may_assign_roles(actor)
    user.save()
    user.roles.set(list(roles))
    log_create(user=actor, instance=user)
    if roles:
        log_event(
            action=AuditAction.UPDATE,
            user=actor,
            instance=user,
            changes=[{"field": "roles", "old": "", "new": ", ".join(sorted(map(str, roles)))}],
        )
    return user


@transaction.atomic
def user_update(
    *, actor: Any, user: User, roles: Iterable[Role] | None = None, **fields: Any
) -> User:
    before = snapshot(user)
    roles = list(roles) if roles is not None else None
    guard = "is_active" in fields or roles is not None
    had_admins = guard and _administrators_exist()
    for name, value in fields.items():
        if name not in USER_FIELDS:
            raise TypeError(f"unknown user field {name}")
        setattr(user, name, value)
    stamp(user, actor, new=False)
    user.full_clean(exclude=["password"])
    user.save()
    log_update(user=actor, instance=user, before=before)
    if roles is not None and {r.pk for r in roles} != {r.pk for r in user.roles.all()}:
        _check_may_assign_roles(actor)
        old = sorted(map(str, user.roles.all()))
        user.roles.set(list(roles))
        new = sorted(map(str, user.roles.all()))
        if old != new:
            log_event(
                action=AuditAction.UPDATE,
                user=actor,
                instance=user,
                changes=[{"field": "roles", "old": ", ".join(old), "new": ", ".join(new)}],
            )
        forget_grants(user)
    if guard:
        _ensure_an_administrator_remains(had_admins)
    return user


@transaction.atomic
def user_reset_password(*, actor: Any, user: User, password: str) -> None:
    """An administrator sets a new password for someone else."""
    validate_password(password, user)
    user.set_password(password)
    stamp(user, actor, new=False)
    user.save(update_fields=["password", "updated_at", "updated_by"])
    log_event(action=AuditAction.PASSWORD_RESET, user=actor, instance=user)


@transaction.atomic
def user_change_own_password(*, user: User, old_password: str, new_password: str) -> None:
    if not user.check_password(old_password):
        raise ValidationError({"old_password": _("Your current password is not correct.")})
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from None
    user.set_password(new_password)
    stamp(user, user, new=False)
    user.save(update_fields=["password", "updated_at", "updated_by"])
    log_event(action=AuditAction.PASSWORD_CHANGE, user=user, instance=user)


def user_deactivate(*, actor: Any, user: User) -> User:
    if actor.pk == user.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    return user_update(actor=actor, user=user, is_active=False)


# --- departments -------------------------------------------------------------------------


@transaction.atomic
def department_create(
    *, actor: Any, code: str, name: str, parent: Department | None = None, **fields: Any
) -> Department:
    department = Department(code=code, name=name, parent=parent, **fields)
    stamp(department, actor, new=True)
    department.full_clean(exclude=["path"])
    department.save()
    department.path = path_for(department)
    department.save(update_fields=["path"])
    log_create(user=actor, instance=department)
    return department


@transaction.atomic
def department_update(*, actor: Any, department: Department, **fields: Any) -> Department:
    before = snapshot(department)
    old_path = department.path
    for name, value in fields.items():
        setattr(department, name, value)
    check_not_own_descendant(department, old_path)
    stamp(department, actor, new=False)
    department.full_clean(exclude=["path"])
    department.path = path_for(department)
    department.save()
    reroot_subtree(Department, old_path, department.path)
    log_update(user=actor, instance=department, before=before)
    return department


@transaction.atomic
def department_delete(*, actor: Any, department: Department) -> None:
    if department.children.exists() or department.members.exists():
        raise ValidationError(
            _("This department still has sub-departments or members; deactivate it instead.")
        )
    log_event(action=AuditAction.DELETE, user=actor, instance=department)
    department.delete()


def department_subtree_ids(department: Department | None) -> list[int]:
    return subtree_ids(Department, department)


# --- roles -------------------------------------------------------------------------------


def _clean_permissions(permissions: Iterable[str]) -> list[str]:
    codes = sorted(set(permissions))
    unknown = [c for c in codes if c not in ALL_PERMISSIONS]
    if unknown:
        raise ValidationError({"permissions": _("Unknown permissions: %s") % ", ".join(unknown)})
    return codes


@transaction.atomic
def role_create(
    *, actor: Any, code: str, name: str, scope: str, permissions: Iterable[str], **fields: Any
) -> Role:
    role = Role(code=code, name=name, scope=scope, permissions=_clean_permissions(permissions))
    for key, value in fields.items():
        setattr(role, key, value)
    stamp(role, actor, new=True)
    role.full_clean()
    role.save()
    log_create(user=actor, instance=role)
    return role


@transaction.atomic
def role_update(*, actor: Any, role: Role, **fields: Any) -> Role:
    before = snapshot(role)
    had_admins = _administrators_exist()
    if "permissions" in fields:
        fields["permissions"] = _clean_permissions(fields["permissions"])
    for key, value in fields.items():
        setattr(role, key, value)
    stamp(role, actor, new=False)
    role.full_clean()
    role.save()
    log_update(user=actor, instance=role, before=before)
    _ensure_an_administrator_remains(had_admins)
    return role


@transaction.atomic
def role_delete(*, actor: Any, role: Role) -> None:
    if role.users.exists():
        raise ValidationError(_("This role is still given to users; deactivate it instead."))
    log_event(action=AuditAction.DELETE, user=actor, instance=role)
    role.delete()
