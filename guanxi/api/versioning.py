"""Optimistic locking over HTTP: the expected version comes as `If-Match: "<n>"` or as
`version` in the body; a stale one is a 409 that carries the record as it is now."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from guanxi.common.versioning import Conflict, parse_version

IF_MATCH = OpenApiParameter(
    name="If-Match",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=gettext_lazy(
        'The version you read, as the ETag of the record\'s GET: "3". Instead of the '
        "header you may send `version` in the body. When the record changed since, the "
        "answer is 409 with the current version and nothing is written. Without either, "
        "the write applies to the current version."
    ),
)


def _invalid(message: str) -> exceptions.ValidationError:
    return exceptions.ValidationError({"version": [message]})


def expected_version(request: Request) -> int | None:
    """The version the client says it writes over, or None when it names none."""
    header = request.headers.get("If-Match")
    body = request.data.get("version") if hasattr(request.data, "get") else None
    from_header = from_body = None
    if header is not None and header.strip() != "*":
        if "," in header:
            raise _invalid(_("If-Match takes one version."))
        try:
            from_header = parse_version(header)
        except ValueError:
            raise _invalid(_('If-Match must be a version number in quotes, such as "3".'))
    if body is not None:
        if isinstance(body, list | dict):
            raise _invalid(_("A version is a whole number from 1."))
        try:
            from_body = parse_version(body)
        except ValueError:
            raise _invalid(_("A version is a whole number from 1."))
    if from_header is not None and from_body is not None and from_header != from_body:
        raise _invalid(_("If-Match and the version in the body disagree."))
    return from_header if from_header is not None else from_body


def etag(version: int) -> str:
    return f'"{version}"'


def conflict_response(view: Any, exc: Conflict) -> Response:
    """409 with the record as the client may see it now (404 if it left their scope)."""
    try:
        current = view.get_object()
    except Http404:
        return Response({"detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)
    data = view.serializer_class(current, context=view.get_serializer_context()).data
    return Response(
        {
            "detail": _(
                "Someone else changed this record after you read it (your version %(yours)s, "
                "now %(now)s). Nothing was saved: apply your change to the current version "
                "and send it again."
            )
            % {"yours": exc.expected, "now": current.version},
            "current_version": current.version,
            "current": data,
        },
        status=status.HTTP_409_CONFLICT,
        headers={"ETag": etag(current.version)},
    )


_CONFLICT_SERIALIZERS: dict[type, type[serializers.Serializer]] = {}


def conflict_serializer(record_serializer: type[serializers.Serializer]) -> type:
    """The documented shape of the 409 answer for a record shape."""
    if record_serializer not in _CONFLICT_SERIALIZERS:
        name = record_serializer.__name__.removesuffix("Serializer") + "ConflictSerializer"
        _CONFLICT_SERIALIZERS[record_serializer] = type(
            name,
            (serializers.Serializer,),
            {
                "__doc__": "The record changed since the version you sent; nothing was saved.",
                "__module__": __name__,
                "detail": serializers.CharField(),
                "current_version": serializers.IntegerField(),
                "current": record_serializer(),
            },
        )
    return _CONFLICT_SERIALIZERS[record_serializer]
