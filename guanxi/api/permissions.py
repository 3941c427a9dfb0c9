"""One permission class for the whole API: the HTTP verb (or a named extra action) picks the
module action, the view declares the module. Scope is not checked here: the selectors make a
record outside the reader's scope a 404."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission

from guanxi.accounts.enums import Action, perm_code
from guanxi.accounts.rules import can

METHOD_ACTIONS = {
    "GET": Action.VIEW,
    "HEAD": Action.VIEW,
    "OPTIONS": Action.VIEW,
    "POST": Action.CREATE,
    "PUT": Action.CHANGE,
    "PATCH": Action.CHANGE,
    "DELETE": Action.DELETE,
}
READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def required_permission(view: Any, method: str) -> str | None:
    """The 'module.action' code a request needs, or None when signing in is enough.

    Views declare `module`; `action_permissions` maps extra actions (e.g. "review") to a
    module action; `open_read = True` lets every signed-in user read (organisation data).
    """
    module = getattr(view, "module", None)
    if module is None:
        return None
    method = method.upper()
    if getattr(view, "open_read", False) and method in READ_METHODS:
        return None
    named = getattr(view, "action_permissions", {}).get(getattr(view, "action", None))
    action = named or METHOD_ACTIONS.get(method)
    if action is None:
        return perm_code(module, "__none__")
    return perm_code(module, action)


class ModulePermission(BasePermission):
    """Signed in (else 401) and holding the module action the request needs (else 403)."""

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        code = required_permission(view, request.method)
        if code is None:
            return True
        module, _sep, action = code.partition(".")
        return can(user, module, action)
