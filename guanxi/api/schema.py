"""OpenAPI: every operation states the permission it needs, as the permission class sees it."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

from .permissions import required_permission
from .versioning import IF_MATCH, conflict_serializer


class ModuleAutoSchema(AutoSchema):
    def _is_versioned(self) -> bool:
        return getattr(self.view, "action", None) in getattr(self.view, "versioned_actions", ())

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if self._is_versioned():
            parameters.append(IF_MATCH)
        return parameters

    def _get_response_bodies(self, direction: Any = "response") -> Any:
        responses = super()._get_response_bodies(direction)
        if self._is_versioned() and "409" not in responses:
            record = self.view.serializer_class
            responses["409"] = self._get_response_for_code(
                OpenApiResponse(
                    conflict_serializer(record),
                    description="The record changed since the version you sent "
                    "(If-Match or `version`); nothing was saved.",
                ),
                "409",
                direction=direction,
            )
        return responses

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
