"""The one scope rule: a record belongs to an owner; a reader sees their own records, their
department subtree's, or all of them, as their roles grant for that module.

A department scope is the list of its people's ids (`reader_team_ids`), not a join to the
users table: `owner_id IN (3, 7, 12)` lets a list walk its ordered index (newest first, say)
and stop after a page, where `owner.department_id IN (…)` made the planner visit the users
first and sort all their records (SQLite) or filter row by row through a join (PostgreSQL).
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q, Subquery
from django.db.models.lookups import Exact, In

from .enums import Scope
from .rules import scope_of
from .services import department_subtree_ids

NOTHING = Q(pk__in=[])


def reader_subtree_ids(reader: Any) -> list[int]:
    """The reader's department and the departments below it, read once per request (cached
    on the user object, which lives as long as the request)."""
    cached = getattr(reader, "_guanxi_subtree", None)
    if cached is None:
        cached = department_subtree_ids(reader.department)
        reader._guanxi_subtree = cached
    return cached


def reader_team_ids(reader: Any) -> list[int]:
    """The reader and everyone whose department is the reader's or below it (active or not:
    their records stay visible), in one query read once per request (cached on the user
    object, which lives as long as the request)."""
    cached = getattr(reader, "_guanxi_team", None)
    if cached is None:
        from .models import Department, User

        people = Q(pk=reader.pk)
        if reader.department_id is not None:
            root = Department.objects.filter(pk=reader.department_id).values("path")[:1]
            people |= Q(department__path__startswith=Subquery(root))
        cached = sorted(User.objects.filter(people).values_list("pk", flat=True))
        reader._guanxi_team = cached
    return cached


def owner_scope_q(reader: Any, module: str, owner_field: str = "owner") -> Q:
    """A filter for records of `module` whose `owner_field` (a user) the reader may see."""
    scope = scope_of(reader, module)
    if scope == Scope.ALL:
        return Q()
    # Lookups on the column itself rather than `owner_id__in=`: the keyword form tells Django
    # the owner must exist, so it turns the list's LEFT JOIN to the users (select_related)
    # into an INNER one, and SQLite then starts from the users and sorts all their records
    # (0.8 s for the start page's "recently changed" at 1M).
    column = F(f"{owner_field}_id")
    if scope == Scope.DEPARTMENT:
        return Q(In(column, reader_team_ids(reader)))
    if scope == Scope.OWN:
        return Q(Exact(column, reader.pk))
    return NOTHING


def owner_in_scope(reader: Any, module: str, owner: Any) -> bool:
    """Would a record owned by `owner` be visible to `reader` in `module`? (No query for
    own/all scope.)"""
    scope = scope_of(reader, module)
    if scope == Scope.ALL:
        return True
    if owner is None or scope is None:
        return False
    if owner.pk == reader.pk:
        return True
    if scope == Scope.DEPARTMENT:
        return owner.pk in reader_team_ids(reader)
    return False


def any_owner_scope_q(reader: Any, module: str, owner_fields: tuple[str, ...]) -> Q:
    """Records with several people attached (a service request's assignee, its author and the
    customer's owner): visible when the reader's scope covers any one of them."""
    scope = scope_of(reader, module)
    if scope == Scope.ALL:
        return Q()
    if scope is None:
        return NOTHING
    q = NOTHING
    for name in owner_fields:
        q |= owner_scope_q(reader, module, owner_field=name)
    return q
