"""One permission class for the whole API: the HTTP verb (or a named extra action) picks the
module action, the view declares the module. Scope is the selectors' business: a record outside
the reader's scope is a 404 — also when the reader lacks the action, so that a refused write
never tells that the record exists (the scoped lookup runs before the 403)."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission

from guanxi.accounts.enums import Action, perm_code
from guanxi.accounts.rules import can, scope_of

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
    """Signed in (else 401) and holding the module action the request needs (else 403).

    On a detail route, a reader who may see some records of the module but lacks the action
    gets 404 for a record outside their scope (the view's scoped lookup raises it) and 403
    only for a record they can see. A reader without any access to the module gets 403
    whatever the id: that tells nothing about a record."""

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        code = required_permission(view, request.method)
        if code is None:
            return True
        module, _sep, action = code.partition(".")
        if can(user, module, action):
            return True
        if getattr(view, "detail", False) and scope_of(user, module) is not None:
            view.get_scoped_object()  # Http404 when the record is outside the scope
        return False
