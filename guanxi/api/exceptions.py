from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from guanxi.common.versioning import Conflict

from .versioning import conflict_response


def exception_handler(exc: Exception, context: dict[str, Any]) -> Any:
    """Services raise Django's ValidationError; the API answers it as a 400 with field errors.
    A stale version (Conflict) is a 409 with the record as it is now."""
    if isinstance(exc, Conflict) and context.get("view") is not None:
        return conflict_response(context["view"], exc)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail: Any = {
                ("non_field_errors" if field == "__all__" else field): messages
                for field, messages in exc.message_dict.items()
            }
        else:
            detail = {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, ProtectedError):
        # A safety net: services turn "in use" into a ValidationError themselves.
        exc = exceptions.ValidationError(
            {"non_field_errors": [_("This record is in use and cannot be deleted.")]}
        )
    return drf_exception_handler(exc, context)
