"""OpenAPI: every operation states the permission it needs, as the permission class sees it."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema

from .permissions import required_permission


class ModuleAutoSchema(AutoSchema):
    def get_description(self) -> str:
        description = super().get_description()
        code = required_permission(self.view, self.method)
        if code is not None:
            note = f"Requires the permission `{code}`."
        elif getattr(self.view, "module", None) is not None:
            note = "Any signed-in user."
        else:
            return description
        return f"{description}\n\n{note}" if description else note
