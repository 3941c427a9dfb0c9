"""OpenAPI: every operation states the permission it needs, as the permission class sees it,
and every status code it can answer with.

The error answers are the same everywhere, so they are declared here once rather than on each
view: 400 (field errors) where the operation writes (a delete too: the record may be in use)
or takes query parameters, 401 where a sign-in is needed, 403 where a permission is checked or
a write can be refused, 404 where the path names a record (a record outside the reader's scope
is missing, not forbidden). A view's own description of a code wins; its body is added.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from .permissions import READ_METHODS, required_permission
from .serializers.fields import ID_MAX, ID_MIN, IdRelatedField
from .versioning import IF_MATCH, conflict_serializer


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in the user's language.")


FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": "Invalid input: {field: [messages]}; non_field_errors for the record as a "
    "whole; a list of records (e.g. contract lines) has a list of such objects.",
    "properties": {
        "detail": {"type": "string", "description": "A body that could not be read at all."}
    },
    "additionalProperties": {"oneOf": [{"type": "array"}, {"type": "object"}]},
}
DESCRIPTIONS = {
    "400": "Invalid input.",
    "401": "Not signed in, or the token is unknown or revoked.",
    "403": "Missing permission, or a rule forbids you this action.",
    "404": "No such record within your scope.",
}


class IdRelatedFieldExtension(OpenApiSerializerFieldExtension):
    """A related record's id is documented with its range, as IdField is."""

    target_class = IdRelatedField
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> Any:
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if schema.get("type") == "integer":
            schema.update(minimum=ID_MIN, maximum=ID_MAX, format="int64")
        return schema


def _may_be_null(field: serializers.Field) -> bool:
    """A read-only field whose source passes through a nullable column or relation (e.g.
    `holiday.name` of a care action without a holiday) renders as null."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or field.source == "*":
        return False
    for attr in field.source_attrs:
        try:
            model_field = model._meta.get_field(attr)
        except FieldDoesNotExist:
            return False
        if model_field.one_to_many or model_field.many_to_many:
            return False  # a list, empty rather than null
        if model_field.null:
            return True
        if not model_field.is_relation:
            return False
        model = model_field.related_model
    return False


class ModuleAutoSchema(AutoSchema):
    def _is_versioned(self) -> bool:
        return getattr(self.view, "action", None) in getattr(self.view, "versioned_actions", ())

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if self._is_versioned():
            parameters.append(IF_MATCH)
        return parameters

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

    def _map_serializer_field(
        self, field: Any, direction: Any, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if (
            field.read_only
            and "$ref" not in schema
            and not schema.get("nullable")
            and _may_be_null(field)
        ):
            schema = {**schema, "nullable": True}
        return schema

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
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
        for code in self._error_codes():
            responses.setdefault(code, {"description": DESCRIPTIONS[code]})
        for code in DESCRIPTIONS:
            if code in responses:
                responses[code] = self._error_response(code, responses[code], direction)
        return responses

    def _error_response(self, code: str, response: dict[str, Any], direction: Any) -> dict:
        """An error answer with its body: the view's own description is kept; a 400 that a
        view documents with a body of its own (e.g. a duplicate warning) may still be field
        errors."""
        if code == "400":
            body: Any = self._field_errors_ref()
        else:
            body = ErrorSerializer
        default = self._get_response_for_code(body, code, direction=direction)
        if "content" not in response:
            return {**response, "content": default["content"]}
        if code == "400":
            ref = self._field_errors_ref()
            for media in response["content"].values():
                if media.get("schema") not in (None, ref):
                    media["schema"] = {"anyOf": [media["schema"], ref]}
        return response

    def _field_errors_ref(self) -> dict[str, Any]:
        component = ResolvedComponent(
            name="FieldErrors",
            type=ResolvedComponent.SCHEMA,
            object="FieldErrors",
            schema=FIELD_ERRORS_SCHEMA,
        )
        self.registry.register_on_missing(component)
        return component.ref

    def _error_codes(self) -> list[str]:
        codes = []
        # A write may be refused with field errors; a delete too (the record is in use).
        if self.method not in READ_METHODS or self._has_query_parameters():
            codes.append("400")
        if not any(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            codes.append("401")
            if (
                required_permission(self.view, self.method) is not None
                or self.method not in READ_METHODS
            ):
                codes.append("403")
        # 404 where the path names a record, or a query parameter does (?user= on tokens).
        if "{" in self.path or getattr(self.view, "parameters_name_records", False):
            codes.append("404")
        return codes

    def _has_query_parameters(self) -> bool:
        return any(p.get("in") == "query" for p in self._get_parameters())


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Documents `BearerTokenAuthentication` as an HTTP bearer scheme."""

    target_class = "guanxi.api.authentication.BearerTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):  # type: ignore[no-untyped-def]
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token from POST /api/v1/auth/tokens/ (or "
            "/api/v1/auth/token/ with a username and password).",
        }
