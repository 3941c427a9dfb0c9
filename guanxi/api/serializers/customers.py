"""Customers and contacts: the record shapes, the write payloads and the list parameters."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from guanxi.accounts.models import User
from guanxi.customers.enums import CustomerStatus, ReviewStatus
from guanxi.customers.models import Contact, Customer
from guanxi.reference.models import (
    CustomerCategory,
    CustomerLevel,
    CustomerSource,
    Industry,
    JobTitle,
    Region,
)

from .fields import (
    ActiveEntryField,
    ApiModelSerializer,
    IdField,
    IdRelatedField,
    VisibleCustomerField,
)


def _ordering_choices(*names: str) -> list[str]:
    return [name for base in names for name in (base, f"-{base}")]


class CustomerSerializer(ApiModelSerializer):
    code = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        help_text=_("Left empty, a code is given on creation (C000123)."),
        # Unique across the recycle bin too: customer_create/update check it (400 on "code").
        validators=[],
    )
    region = ActiveEntryField(queryset=Region.objects.all(), required=False, allow_null=True)
    category = ActiveEntryField(
        queryset=CustomerCategory.objects.all(), required=False, allow_null=True
    )
    industry = ActiveEntryField(queryset=Industry.objects.all(), required=False, allow_null=True)
    level = ActiveEntryField(queryset=CustomerLevel.objects.all(), required=False, allow_null=True)
    source = ActiveEntryField(
        queryset=CustomerSource.objects.all(), required=False, allow_null=True
    )
    owner = IdRelatedField(
        queryset=User.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("User id of the salesperson responsible; defaults to the creator."),
    )

    class Meta:
        model = Customer
        fields = [
            "id", "code", "name", "short_name", "region", "category", "industry", "level",
            "source", "status", "abc_class", "owner", "address", "phone", "website",
            "credit_code", "tags", "notes", "review_status", "review_comment", "lost_at",
            "lost_reason", "version", "created_at", "updated_at", "created_by", "updated_by",
        ]  # fmt: skip
        read_only_fields = [
            "abc_class", "review_status", "review_comment", "lost_at", "lost_reason",
            "version", "created_at", "updated_at", "created_by", "updated_by",
        ]  # fmt: skip


class CustomerCreateSerializer(CustomerSerializer):
    confirm_duplicates = serializers.BooleanField(
        write_only=True,
        default=False,
        help_text=_("Create even though customers with the same name, credit code or phone exist."),
    )

    class Meta(CustomerSerializer.Meta):
        fields = [*CustomerSerializer.Meta.fields, "confirm_duplicates"]


class CustomerBriefSerializer(ApiModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "code", "name"]


class DuplicateWarningSerializer(serializers.Serializer):
    """The 400 answer when the new customer looks like existing ones."""

    detail = serializers.CharField()
    duplicates = CustomerBriefSerializer(many=True, help_text=_("Those you may see."))
    hidden_duplicates = serializers.IntegerField(
        help_text=_("How many more exist outside your scope.")
    )


class CustomerReviewSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class CustomerListParams(serializers.Serializer):
    """Query parameters of the customer list."""

    search = serializers.CharField(required=False, allow_blank=True, default="")
    region = IdField(
        required=False, help_text=_("Region id; the region's subregions are included.")
    )
    category = IdField(required=False)
    industry = IdField(required=False)
    level = IdField(required=False)
    owner = IdField(required=False, help_text=_("User id."))
    status = serializers.ChoiceField(choices=CustomerStatus.choices, required=False)
    review_status = serializers.ChoiceField(choices=ReviewStatus.choices, required=False)
    ordering = serializers.ChoiceField(
        choices=_ordering_choices("name", "code", "created_at", "updated_at", "id"),
        required=False,
        default="-id",
    )

    FILTERS = ("region", "category", "industry", "level", "owner", "status", "review_status")

    def filters(self) -> dict[str, Any]:
        return {k: v for k, v in self.validated_data.items() if k in self.FILTERS}


class ContactSerializer(ApiModelSerializer):
    customer = VisibleCustomerField(help_text=_("Id of a customer you may see; fixed once set."))
    job_title = ActiveEntryField(queryset=JobTitle.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Contact
        fields = [
            "id", "customer", "name", "gender", "job_title", "department", "mobile", "phone",
            "email", "wechat", "birthday", "is_primary", "notes", "version", "created_at",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = ["version"]


class ContactUpdateSerializer(ContactSerializer):
    """A contact stays with its customer: on update `customer` is read-only."""

    customer = IdRelatedField(read_only=True)


class ContactListParams(serializers.Serializer):
    search = serializers.CharField(required=False, allow_blank=True, default="")
    customer = IdField(required=False, help_text=_("Customer id."))
    ordering = serializers.ChoiceField(
        choices=_ordering_choices("name", "id"), required=False, default="name"
    )
