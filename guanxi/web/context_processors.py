from typing import Any

from django.http import HttpRequest

from guanxi.accounts.rules import can


class _ModulePerms:
    def __init__(self, user: Any, module: str):
        self.user, self.module = user, module

    def __getitem__(self, action: str) -> bool:
        return can(self.user, self.module, action)


class _Perms:
    """In templates: {% if perms_.customers.create %} asks rules.can(user, ...)."""

    def __init__(self, user: Any):
        self.user = user

    def __getitem__(self, module: str) -> _ModulePerms:
        return _ModulePerms(self.user, module)


def navigation(request: HttpRequest) -> dict[str, Any]:
    return {"perms_": _Perms(getattr(request, "user", None))}
