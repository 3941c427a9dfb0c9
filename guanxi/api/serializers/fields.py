"""Fields shared by every parameter and body serializer of the API.

Whatever the OpenAPI document allows must be something the code can use, or a 400 with a
field error: ids are 1 … 2⁶³−1 (the range of a database id; larger numbers are "not found"
for a database, a crash for its driver), dates lie in 1900-01-01 … 2999-12-31 (older or later
dates are typing mistakes in a CRM, and the extremes break time-zone arithmetic), and texts
contain no NUL character (PostgreSQL refuses to store one). Relation fields also respect the
domain's rules on what may be chosen.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from guanxi.customers.selectors import access_customer_by_id, customer_list

ID_MIN = 1
ID_MAX = 2**63 - 1
DATE_MIN = datetime.date(1900, 1, 1)
DATE_MAX = datetime.date(2999, 12, 31)


class IdField(serializers.IntegerField):
    """The id of a record (a filter or a body value): an integer 1 … 2⁶³−1."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", ID_MIN)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(**kwargs)


class DateField(serializers.DateField):
    """A date between 1900-01-01 and 2999-12-31."""

    default_error_messages = {
        "out_of_range": _("Enter a date between {min} and {max}."),
    }

    def to_internal_value(self, value: Any) -> datetime.date:
        parsed = super().to_internal_value(value)
        if not DATE_MIN <= parsed <= DATE_MAX:
            self.fail("out_of_range", min=DATE_MIN.isoformat(), max=DATE_MAX.isoformat())
        return parsed


class DateTimeField(serializers.DateTimeField):
    """A moment between 1900-01-01 and 2999-12-31 (in any time zone)."""

    default_error_messages = DateField.default_error_messages

    def to_internal_value(self, value: Any) -> datetime.datetime:
        parsed = super().to_internal_value(value)
        if not DATE_MIN <= parsed.date() <= DATE_MAX:
            self.fail("out_of_range", min=DATE_MIN.isoformat(), max=DATE_MAX.isoformat())
        return parsed


@extend_schema_field(
    {"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$", "example": "09:30:00"}
)
class ClockField(serializers.TimeField):
    """A time of day on the wall clock, without a zone ("09:30:00"). OpenAPI's `time` format
    is RFC 3339's, which requires an offset, so it would not describe these values."""


class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """A related record by id; an id outside 1 … 2⁶³−1 is simply not found."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            number = int(data)
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not ID_MIN <= number <= ID_MAX:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class ApiModelSerializer(serializers.ModelSerializer):
    """The base of the API's record serializers: model fields map to the bounded fields above."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: DateField,
        models.DateTimeField: DateTimeField,
        models.TimeField: ClockField,
    }
    serializer_related_field = IdRelatedField


class ActiveEntryField(IdRelatedField):
    """An id of an active reference entry. The record's current entry stays acceptable after
    it was deactivated, so that saving an old record unchanged does not fail."""

    default_error_messages = {
        "does_not_exist": _("Unknown or deactivated entry (id {pk_value})."),
    }

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()
        instance = getattr(self.root, "instance", None)
        current = getattr(instance, f"{self.source}_id", None) if instance is not None else None
        if current is not None:
            return queryset.filter(Q(is_active=True) | Q(pk=current))
        return queryset.filter(is_active=True)


class VisibleCustomerField(IdRelatedField):
    """The id of a customer the requesting user may see. Any other id is 'not found', so
    that guessing ids tells nothing."""

    default_error_messages = {
        "does_not_exist": _("Customer not found (id {pk_value})."),
    }

    def get_queryset(self) -> QuerySet:
        return customer_list(reader=self._reader())

    def _reader(self) -> Any:
        request = self.context.get("request")
        return getattr(request, "user", None)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            number = int(data)
        except ValueError:
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not ID_MIN <= number <= ID_MAX:
            self.fail("does_not_exist", pk_value=data)
        try:
            return access_customer_by_id(reader=self._reader(), customer_id=data)
        except Http404:
            self.fail("does_not_exist", pk_value=data)
