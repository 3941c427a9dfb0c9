"""Reads of users and departments, already limited to what the reader may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from .enums import Module, Scope
from .models import Department, Role, User
from .rules import scope_of


def user_list(*, reader: Any, search: str = "") -> QuerySet[User]:
    from .scoping import reader_team_ids  # scoping imports this app's services

    scope = scope_of(reader, Module.USERS)
    qs = User.objects.select_related("department")
    if scope is None or scope == Scope.OWN:
        qs = qs.filter(pk=reader.pk)
    elif scope == Scope.DEPARTMENT:
        qs = qs.filter(pk__in=reader_team_ids(reader))
    if search:
        qs = qs.filter(
            Q(username__icontains=search)
            | Q(display_name__icontains=search)
            | Q(email__icontains=search)
            | Q(phone__icontains=search)
        )
    return qs.order_by("username")


def assignable_users(*, reader: Any, module: str) -> QuerySet[User]:
    """The people `reader` may name as the owner (salesperson, assignee) of a `module` record:
    the active users whose records of that module they may see — only themselves with "own"
    scope, their department subtree with "department", everyone with "all". Pickers list
    these; services check one person with `accounts.scoping.owner_in_scope`, the same rule."""
    from .scoping import reader_team_ids  # scoping imports this app's services

    scope = scope_of(reader, module)
    qs = User.objects.filter(is_active=True)
    if scope == Scope.ALL:
        return qs
    if scope == Scope.DEPARTMENT:
        return qs.filter(pk__in=reader_team_ids(reader))
    if scope == Scope.OWN:
        return qs.filter(pk=reader.pk)
    return qs.none()


def access_user_by_id(*, reader: Any, user_id: Any) -> User:
    try:
        return user_list(reader=reader).prefetch_related("roles").get(pk=int(user_id))
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def department_list() -> QuerySet[Department]:
    """The department tree is organisation data every signed-in user may read."""
    return Department.objects.select_related("parent", "head").order_by("path")


def role_list() -> QuerySet[Role]:
    return Role.objects.order_by("id")
