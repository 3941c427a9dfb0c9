"""Relation fields that respect the domain's rules on what may be chosen."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from guanxi.customers.selectors import access_customer_by_id, customer_list


class ActiveEntryField(serializers.PrimaryKeyRelatedField):
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


class VisibleCustomerField(serializers.PrimaryKeyRelatedField):
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
            return access_customer_by_id(reader=self._reader(), customer_id=data)
        except Http404:
            self.fail("does_not_exist", pk_value=data)
