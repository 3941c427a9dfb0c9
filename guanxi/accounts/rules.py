"""Permission predicates. Every page, API call, export and report asks these, nothing else.

A user's permissions are the union of their active roles' codes. The scope of a module is
the widest scope among the roles that grant viewing that module.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .enums import SCOPE_RANK, Action, Scope, perm_code


class _Grants:
    __slots__ = ("codes", "scopes")

    def __init__(self, codes: set[str], scopes: dict[str, str]):
        self.codes = codes
        self.scopes = scopes


def _grants(user: Any) -> _Grants:
    cached = getattr(user, "_guanxi_grants", None)
    if cached is not None:
        return cached
    codes: set[str] = set()
    scopes: dict[str, str] = {}
    if user is not None and user.is_authenticated and user.is_active:
        for role in user.roles.all():
            if not role.is_active:
                continue
            role_codes = set(role.permissions or [])
            codes |= role_codes
            for code in role_codes:
                module, _sep, action = code.partition(".")
                if action != Action.VIEW:
                    continue
                current = scopes.get(module)
                if current is None or SCOPE_RANK[role.scope] > SCOPE_RANK[current]:
                    scopes[module] = role.scope
    grants = _Grants(codes, scopes)
    if user is not None:
        user._guanxi_grants = grants
    return grants


def forget_grants(user: Any) -> None:
    for cached in ("_guanxi_grants", "_guanxi_subtree", "_guanxi_team"):
        if hasattr(user, cached):
            delattr(user, cached)


def can(user: Any, module: str, action: str) -> bool:
    return perm_code(module, action) in _grants(user).codes


def scope_of(user: Any, module: str) -> str | None:
    """The scope in which `user` may see `module` records, or None when they may not."""
    return _grants(user).scopes.get(module)


def permission_codes(user: Any) -> set[str]:
    return set(_grants(user).codes)


def is_all_scope(user: Any, module: str) -> bool:
    return scope_of(user, module) == Scope.ALL


def require(user: Any, module: str, action: str) -> None:
    """Refuse (PermissionDenied) unless the user's roles grant `module.action`."""
    if not can(user, module, action):
        raise PermissionDenied(_("You do not have permission to do this."))
