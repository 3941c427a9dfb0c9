"""Customer service: interaction feedback, service requests with their due time, care actions,
the churn warning and lost lists, the service settings, and the customer timeline. Record
shapes, write payloads and list parameters.

Everything a client may not set (numbers, statuses, due times, resolution and score outside
their actions, stamps) is read-only here; the workflow moves through the request's actions.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from guanxi.accounts.models import User
from guanxi.common import clock
from guanxi.customers.models import Contact, Customer
from guanxi.customers.selectors import customer_scope_q
from guanxi.customers.timeline import TIMELINE_KINDS
from guanxi.reference.models import ComplaintCategory, ServiceRequestType, WorkMethod
from guanxi.sales.models import Product
from guanxi.sales.selectors import contract_list
from guanxi.service.enums import CareKind, CareStatus, Priority, RequestStatus, SlaState
from guanxi.service.models import CareAction, Feedback, ServiceRequest, ServiceSettings
from guanxi.service.selectors import last_activity

from .fields import (
    ActiveEntryField,
    ApiModelSerializer,
    ClockField,
    DateField,
    DateTimeField,
    IdField,
    IdRelatedField,
)
from .sales import CurrentOrVisibleCustomerField, EnumField, ScopedRecordField

STAMPS = ["created_at", "updated_at", "created_by", "updated_by"]


def _user_field(help_text: Any, **kwargs: Any) -> IdRelatedField:
    return IdRelatedField(
        queryset=User.objects.all(), required=False, help_text=help_text, **kwargs
    )


def _name(source: str) -> serializers.StringRelatedField:
    """The display name of a related record (None when there is none)."""
    return serializers.StringRelatedField(source=source, read_only=True)


class VisibleContactField(ScopedRecordField):
    """A contact of a customer the reader may see (the service checks it is the record's
    customer's)."""

    default_error_messages = {"does_not_exist": _("Contact not found (id {pk_value}).")}

    def lister(self, reader: Any) -> QuerySet:
        visible = Customer.objects.filter(customer_scope_q(reader)).values("pk")
        return Contact.objects.filter(customer__in=visible)


class VisibleContractField(ScopedRecordField):
    default_error_messages = {"does_not_exist": _("Contract not found (id {pk_value}).")}

    def lister(self, reader: Any) -> QuerySet:
        return contract_list(reader=reader)


# --- feedback ----------------------------------------------------------------------------


class FeedbackSerializer(ApiModelSerializer):
    customer = CurrentOrVisibleCustomerField(help_text=_("Id of a customer you may see."))
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    contact = VisibleContactField(
        required=False, allow_null=True, help_text=_("Id of a contact of the customer.")
    )
    contact_name = serializers.CharField(
        source="contact.name", read_only=True, allow_null=True, default=None
    )
    date = DateField(required=False, help_text=_("Today when left out."))
    channel = ActiveEntryField(
        queryset=WorkMethod.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Work method id (visit, phone…)."),
    )
    channel_name = _name("channel")
    reported_by = _user_field(
        _("User id of who had the contact; defaults to you. Within your scope.")
    )
    reported_by_name = _name("reported_by")

    class Meta:
        model = Feedback
        fields = [
            "id", "customer", "customer_name", "contact", "contact_name", "date", "channel",
            "channel_name", "content", "reported_by", "reported_by_name", *STAMPS,
        ]  # fmt: skip
        read_only_fields = STAMPS


class FeedbackListParams(serializers.Serializer):
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Part of the content, the customer's or the contact's name."),
    )
    customer = IdField(required=False, help_text=_("Customer id."))
    contact = IdField(required=False, help_text=_("Contact id."))
    channel = IdField(required=False, help_text=_("Work method id."))
    reported_by = IdField(required=False, help_text=_("User id."))
    date_from = DateField(required=False)
    date_to = DateField(required=False)

    FILTERS = ("customer", "contact", "channel", "reported_by", "date_from", "date_to")

    def filters(self) -> dict[str, Any]:
        return {k: v for k, v in self.validated_data.items() if k in self.FILTERS}


# --- service requests --------------------------------------------------------------------


class ServiceRequestSerializer(ApiModelSerializer):
    customer = CurrentOrVisibleCustomerField(help_text=_("Id of a customer you may see."))
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    contact = VisibleContactField(
        required=False, allow_null=True, help_text=_("Id of a contact of the customer.")
    )
    contact_name = serializers.CharField(
        source="contact.name", read_only=True, allow_null=True, default=None
    )
    type = ActiveEntryField(
        queryset=ServiceRequestType.objects.all(), help_text=_("Service request type id.")
    )
    type_name = _name("type")
    is_complaint = serializers.BooleanField(source="type.is_complaint", read_only=True)
    complaint_category = ActiveEntryField(
        queryset=ComplaintCategory.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Complaint category id: required for a complaint, ignored otherwise."),
    )
    complaint_category_name = _name("complaint_category")
    priority = EnumField(
        Priority,
        required=False,
        help_text=_("normal when left out; sets the due time (hours per priority)."),
    )
    contract = VisibleContractField(
        required=False, allow_null=True, help_text=_("Id of a contract of the customer.")
    )
    contract_number = serializers.CharField(
        source="contract.number", read_only=True, allow_null=True, default=None
    )
    product = ActiveEntryField(
        queryset=Product.objects.all(), required=False, allow_null=True, help_text=_("Product id.")
    )
    product_name = _name("product")
    status = EnumField(RequestStatus, read_only=True)
    assignee = _user_field(
        _(
            "Assign at once: yourself, or anyone working on requests if you are a service "
            "manager. Afterwards use the assign action."
        ),
        allow_null=True,
    )
    assignee_name = _name("assignee")
    sla_state = serializers.SerializerMethodField(
        help_text=_(
            "on_time, at_risk or breached: an open request against now, a resolved one "
            "against the moment it was resolved."
        )
    )

    class Meta:
        model = ServiceRequest
        fields = [
            "id", "number", "customer", "customer_name", "contact", "contact_name", "type",
            "type_name", "is_complaint", "complaint_category", "complaint_category_name",
            "priority", "subject", "description", "contract", "contract_number", "product",
            "product_name", "status", "assignee", "assignee_name", "assigned_at", "due_at",
            "at_risk_at", "sla_state", "resolution", "resolved_at", "closed_at", "satisfaction",
            "satisfaction_comment", "reopen_count", "version", *STAMPS,
        ]  # fmt: skip
        read_only_fields = [
            "number", "assigned_at", "due_at", "at_risk_at", "resolution", "resolved_at",
            "closed_at", "satisfaction", "satisfaction_comment", "reopen_count", "version",
            *STAMPS,
        ]  # fmt: skip

    @extend_schema_field(EnumField(SlaState))
    def get_sla_state(self, request: ServiceRequest) -> str:
        now = self.context.get("now")
        if now is None:
            now = self.context["now"] = clock.now()
        return str(request.sla_state(now))


class ServiceRequestUpdateSerializer(ServiceRequestSerializer):
    """A request stays with its customer, and its assignee changes through the assign action:
    on update both are read-only."""

    customer = IdRelatedField(read_only=True)
    assignee = IdRelatedField(read_only=True)


def _assignee_filter(value: str) -> str:
    value = value.strip().lower()
    if value != "none" and not value.isdigit():
        raise serializers.ValidationError(_('A user id, or "none" for unassigned.'))
    return value


class ServiceRequestListParams(serializers.Serializer):
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Part of the number, subject, description or customer name."),
    )
    status = serializers.ChoiceField(
        choices=[("open", _("Open (new, assigned or in progress)")), *RequestStatus.choices],
        required=False,
        help_text=_('A status, or "open" for the three open ones.'),
    )
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    type = IdField(required=False, help_text=_("Service request type id."))
    assignee = serializers.CharField(
        required=False, help_text=_('User id, or "none" for unassigned requests.')
    )
    customer = IdField(required=False, help_text=_("Customer id."))
    product = IdField(required=False, help_text=_("Product id."))
    contract = IdField(required=False, help_text=_("Contract id."))
    complaint = serializers.BooleanField(
        required=False, help_text=_("Only complaints (true) or only other requests (false).")
    )
    sla = serializers.ChoiceField(choices=SlaState.choices, required=False)
    created_from = DateField(required=False)
    created_to = DateField(required=False)
    ordering = serializers.ChoiceField(
        choices=["-id", "id", "due_at", "-due_at", "-updated_at", "number"],
        required=False,
        default="-id",
    )

    FILTERS = (
        "status", "priority", "type", "assignee", "customer", "product", "contract", "complaint",
        "sla", "created_from", "created_to",
    )  # fmt: skip

    def validate_assignee(self, value: str) -> str:
        return _assignee_filter(value)

    def filters(self) -> dict[str, Any]:
        return {k: v for k, v in self.validated_data.items() if k in self.FILTERS}


class TeamQueueParams(serializers.Serializer):
    assignee = serializers.CharField(
        required=False, help_text=_('User id, or "none" for unassigned requests.')
    )

    def validate_assignee(self, value: str) -> str:
        return _assignee_filter(value)


class AssignSerializer(serializers.Serializer):
    assignee = IdRelatedField(
        queryset=User.objects.all(),
        help_text=_(
            "User id of an agent working on requests: yourself, or anyone if you are a "
            "service manager."
        ),
    )


class ResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField(
        allow_blank=True, help_text=_("How the request was resolved (required).")
    )


class CloseSerializer(serializers.Serializer):
    satisfaction = serializers.IntegerField(
        min_value=1, max_value=5, help_text=_("The customer's satisfaction, 1 to 5.")
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("The customer's comment.")
    )


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("Recorded in the history.")
    )


# --- care --------------------------------------------------------------------------------


class CareActionSerializer(ApiModelSerializer):
    customer = CurrentOrVisibleCustomerField(help_text=_("Id of a customer you may see."))
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    contact = VisibleContactField(
        required=False, allow_null=True, help_text=_("Id of a contact of the customer.")
    )
    contact_name = serializers.CharField(
        source="contact.name", read_only=True, allow_null=True, default=None
    )
    contract_number = serializers.CharField(
        source="contract.number", read_only=True, allow_null=True, default=None
    )
    holiday_name = _name("holiday")
    kind = EnumField(CareKind, help_text=_("win_back only for a lost customer."))
    label = serializers.SerializerMethodField(
        help_text=_("The title, or for a generated action its kind and what it is about.")
    )
    assignee = _user_field(_("User id; the customer's owner when left out. Within your scope."))
    assignee_name = _name("assignee")
    status = EnumField(CareStatus, read_only=True)
    generated = serializers.SerializerMethodField(
        help_text=_("Made by the scheduled work: skip it instead of deleting it.")
    )

    class Meta:
        model = CareAction
        fields = [
            "id", "customer", "customer_name", "contact", "contact_name", "contract",
            "contract_number", "holiday", "holiday_name", "kind", "title", "label", "due_date",
            "assignee", "assignee_name", "status", "note", "finished_at", "generated", "version",
            *STAMPS,
        ]  # fmt: skip
        read_only_fields = ["contract", "holiday", "finished_at", "version", *STAMPS]

    @extend_schema_field(serializers.CharField())
    def get_label(self, action: CareAction) -> str:
        return str(action)

    @extend_schema_field(serializers.BooleanField())
    def get_generated(self, action: CareAction) -> bool:
        return bool(action.key)


class CareActionUpdateSerializer(CareActionSerializer):
    """A care action stays with its customer and kind: on update both are read-only."""

    customer = IdRelatedField(read_only=True)
    kind = EnumField(CareKind, read_only=True)


class CareListParams(serializers.Serializer):
    view = serializers.ChoiceField(
        choices=[
            ("all", _("All, the latest due date first")),
            ("due", _("To do by today, the earliest first")),
            ("upcoming", _("To do later, the earliest first")),
            ("done", _("Done or skipped, the latest first")),
        ],
        required=False,
        default="all",
    )
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Part of the title, note, customer's or contact's name."),
    )
    kind = serializers.ChoiceField(choices=CareKind.choices, required=False)
    status = serializers.ChoiceField(choices=CareStatus.choices, required=False)
    assignee = IdField(required=False, help_text=_("User id."))
    customer = IdField(required=False, help_text=_("Customer id."))

    FILTERS = ("kind", "status", "assignee", "customer")

    def filters(self) -> dict[str, Any]:
        return {k: v for k, v in self.validated_data.items() if k in self.FILTERS}


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(
        allow_blank=True, help_text=_("What was done, or why not (required).")
    )


# --- churn warning and lost customers ----------------------------------------------------


class ChurnWarningSerializer(ApiModelSerializer):
    owner_name = _name("owner")
    region_name = _name("region")
    last_order = serializers.SerializerMethodField(
        help_text=_("Latest contract (signed or entered) or sales record.")
    )
    last_contact = serializers.SerializerMethodField(help_text=_("Latest feedback or task done."))

    class Meta:
        model = Customer
        fields = [
            "id", "code", "name", "status", "owner", "owner_name", "region", "region_name",
            "last_order", "last_contact", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(DateField(allow_null=True))
    def get_last_order(self, customer: Customer) -> datetime.date | None:
        return _as_date(last_activity(customer)["last_order"])

    @extend_schema_field(DateField(allow_null=True))
    def get_last_contact(self, customer: Customer) -> datetime.date | None:
        return _as_date(last_activity(customer)["last_contact"])


def _as_date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, str):  # SQLite hands subquery dates back as text
        return datetime.date.fromisoformat(value[:10])
    return value


class LostCustomerSerializer(ApiModelSerializer):
    owner_name = _name("owner")
    region_name = _name("region")
    open_win_back = serializers.IntegerField(
        read_only=True, help_text=_("Win-back actions still to do.")
    )

    class Meta:
        model = Customer
        fields = [
            "id", "code", "name", "owner", "owner_name", "region", "region_name", "lost_at",
            "lost_reason", "open_win_back",
        ]  # fmt: skip
        read_only_fields = fields


class CustomerListSearchParams(serializers.Serializer):
    search = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("Part of the name or code.")
    )


class MarkLostSerializer(serializers.Serializer):
    reason = serializers.CharField(
        allow_blank=True, help_text=_("Why the customer was lost (required).")
    )


# --- service settings --------------------------------------------------------------------


class ServiceSettingsSerializer(ApiModelSerializer):
    class Meta:
        model = ServiceSettings
        fields = [
            "hours_urgent", "hours_high", "hours_normal", "hours_low", "at_risk_percent",
            "follow_up_days", "care_lead_days", "churn_days", "updated_at", "updated_by",
        ]  # fmt: skip
        read_only_fields = ["updated_at", "updated_by"]


# --- the customer timeline ---------------------------------------------------------------


def _timeline_kinds() -> list[tuple[str, Any]]:
    return [(key, kind.label) for key, kind in TIMELINE_KINDS.items()]


class TimelineParams(serializers.Serializer):
    kind = serializers.ListField(
        child=serializers.ChoiceField(choices=_timeline_kinds()),
        required=False,
        default=list,
        help_text=_("Only these kinds (repeat the parameter: ?kind=task&kind=feedback)."),
    )
    page = serializers.IntegerField(min_value=1, max_value=10000, required=False, default=1)
    page_size = serializers.IntegerField(min_value=1, max_value=200, required=False, default=50)


class TimelineEntrySerializer(serializers.Serializer):
    """One entry: what kind, which record (`ref`) and which page it belongs to (`link`: the
    record's own id, or its parent's — an opportunity for a stage change, a contract for a
    payment, the customer for contacts and changes)."""

    kind = serializers.ChoiceField(choices=_timeline_kinds())
    kind_label = serializers.CharField()
    ref = serializers.IntegerField(allow_null=True)
    link = serializers.IntegerField(allow_null=True)
    at = DateTimeField(help_text=_("When; a dated entry at midnight of its day."))
    day = DateField(allow_null=True)
    clock = ClockField(allow_null=True)
    heading = serializers.CharField(allow_null=True)
    detail = serializers.CharField(allow_null=True)
    extra = serializers.CharField(allow_null=True)
    state = serializers.CharField(allow_null=True)
    state_label = serializers.CharField()
    money = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    person = serializers.CharField(allow_null=True)


class TimelinePageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = TimelineEntrySerializer(many=True)
