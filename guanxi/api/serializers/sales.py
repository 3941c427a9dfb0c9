"""Customer development: opportunities, tasks, products, contracts with lines and decisions,
sales records, payments and receivables. Record shapes, write payloads and list parameters.

Amounts are decimals rendered as strings ("120000.00"); totals and line amounts are computed
by the services and are read-only here, so whatever a client sends for them is ignored.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent, build_choice_field
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from guanxi.accounts.enums import Module
from guanxi.accounts.models import User
from guanxi.accounts.scoping import owner_scope_q
from guanxi.common import clock
from guanxi.reference.models import (
    CustomerSource,
    LostReason,
    OpportunityStage,
    ProjectType,
    WorkMethod,
)
from guanxi.sales.enums import ContractStatus, OpportunityStatus, TaskStatus
from guanxi.sales.models import (
    QUANTITY,
    ApprovalDecision,
    Contract,
    ContractLine,
    Opportunity,
    Payment,
    Product,
    SalesRecord,
    StageChange,
    Task,
)
from guanxi.sales.selectors import contract_list, opportunity_list

from .fields import (
    ID_MAX,
    ID_MIN,
    ActiveEntryField,
    ApiModelSerializer,
    DateField,
    IdField,
    IdRelatedField,
    VisibleCustomerField,
)

MONEY = {"max_digits": 16, "decimal_places": 2}
MAX_LINES = 500


def _ordering_choices(*names: str) -> list[str]:
    return [name for base in names for name in (base, f"-{base}")]


def _reader(field: serializers.Field) -> Any:
    request = field.context.get("request")
    return getattr(request, "user", None)


def _current(field: serializers.Field) -> Any:
    """The related record the instance being edited holds for this field, if any."""
    instance = getattr(field.root, "instance", None)
    if instance is None or isinstance(instance, list | QuerySet):
        return None
    return getattr(instance, field.source, None)


class CurrentOrVisibleCustomerField(VisibleCustomerField):
    """A customer the reader may see; the record's current customer is always accepted, so
    that sending a record back unchanged never fails."""

    def to_internal_value(self, data: Any) -> Any:
        current = _current(self)
        if current is not None and str(data) == str(current.pk):
            return current
        return super().to_internal_value(data)


class ScopedRecordField(IdRelatedField):
    """The id of a record the reader may see (listed by a scope-limited selector); any other
    id is 'not found'. The record's current value stays acceptable."""

    default_error_messages = {"does_not_exist": _("Not found (id {pk_value}).")}

    def lister(self, reader: Any) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet:
        return self.lister(_reader(self))

    def to_internal_value(self, data: Any) -> Any:
        current = _current(self)
        if current is not None and str(data) == str(current.pk):
            return current
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            pk = int(data)
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not ID_MIN <= pk <= ID_MAX:
            self.fail("does_not_exist", pk_value=data)
        found = self.get_queryset().filter(pk=pk).first()
        if found is None:
            self.fail("does_not_exist", pk_value=data)
        return found


class VisibleOpportunityField(ScopedRecordField):
    default_error_messages = {"does_not_exist": _("Opportunity not found (id {pk_value}).")}

    def lister(self, reader: Any) -> QuerySet:
        return opportunity_list(reader=reader)


class PayableContractField(ScopedRecordField):
    """A contract the reader may see both as a contract and for its payments."""

    default_error_messages = {"does_not_exist": _("Contract not found (id {pk_value}).")}

    def lister(self, reader: Any) -> QuerySet:
        return contract_list(reader=reader).filter(owner_scope_q(reader, Module.PAYMENTS))


class EnumField(serializers.ChoiceField):
    """A choice field documented as one named enum component (e.g. ContractStatusEnum), so
    that the several `status` choice sets of the API keep distinct, stable names."""

    def __init__(self, enum: type, **kwargs: Any) -> None:
        self.component_name = f"{enum.__name__}Enum"
        super().__init__(choices=enum.choices, **kwargs)


class EnumFieldExtension(OpenApiSerializerFieldExtension):
    target_class = EnumField

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> Any:
        field = self.target
        schema = build_choice_field(serializers.ChoiceField(choices=field.choices))
        component = ResolvedComponent(
            name=field.component_name,
            type=ResolvedComponent.SCHEMA,
            object=field.component_name,
            schema=schema,
        )
        auto_schema.registry.register_on_missing(component)
        if field.allow_blank:
            return {"oneOf": [component.ref, {"type": "string", "enum": [""]}]}
        return component.ref


def _user_field(help_text: Any) -> IdRelatedField:
    return IdRelatedField(queryset=User.objects.all(), required=False, help_text=help_text)


# --- opportunities -----------------------------------------------------------------------


class OpportunitySerializer(ApiModelSerializer):
    customer = CurrentOrVisibleCustomerField(help_text=_("Id of a customer you may see."))
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    project_type = ActiveEntryField(
        queryset=ProjectType.objects.all(), required=False, allow_null=True
    )
    stage = ActiveEntryField(
        queryset=OpportunityStage.objects.all(),
        required=False,
        help_text=_("Stage id; the first active stage when left out."),
    )
    stage_name = serializers.CharField(source="stage.name", read_only=True)
    probability = serializers.IntegerField(
        min_value=0,
        max_value=100,
        required=False,
        allow_null=True,
        help_text=_("Win probability in %; the stage's default when left out or null."),
    )
    source = ActiveEntryField(
        queryset=CustomerSource.objects.all(), required=False, allow_null=True
    )
    owner = _user_field(_("User id of the person responsible; defaults to the creator."))
    owner_name = serializers.StringRelatedField(source="owner", read_only=True)
    status = EnumField(OpportunityStatus, read_only=True)

    class Meta:
        model = Opportunity
        fields = [
            "id", "customer", "customer_name", "name", "project_type", "stage", "stage_name",
            "amount", "probability", "expected_close_date", "source", "competitors",
            "competitor_notes", "owner",
            "owner_name", "status", "lost_reason", "closed_at", "stage_changed_at", "notes",
            "version", "created_at", "updated_at", "created_by", "updated_by",
        ]  # fmt: skip
        read_only_fields = [
            "status", "lost_reason", "closed_at", "stage_changed_at", "version", "created_at",
            "updated_at", "created_by", "updated_by",
        ]  # fmt: skip


class OpportunityListParams(serializers.Serializer):
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Part of the project name, customer name, competitor or competitor notes."),
    )
    stage = IdField(required=False, help_text=_("Stage id."))
    status = serializers.ChoiceField(choices=OpportunityStatus.choices, required=False)
    owner = IdField(required=False, help_text=_("User id."))
    customer = IdField(required=False, help_text=_("Customer id."))
    project_type = IdField(required=False, help_text=_("Project type id."))
    ordering = serializers.ChoiceField(
        choices=[*_ordering_choices("id", "name", "amount"), "-updated_at"],
        required=False,
        default="-id",
    )

    FILTERS = ("stage", "status", "owner", "customer", "project_type")

    def filters(self) -> dict[str, Any]:
        return {k: v for k, v in self.validated_data.items() if k in self.FILTERS}


class OpportunityMoveSerializer(serializers.Serializer):
    stage = ActiveEntryField(queryset=OpportunityStage.objects.all(), help_text=_("Stage id."))


class OpportunityWinSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("Appended to the notes.")
    )


class OpportunityLoseSerializer(OpportunityWinSerializer):
    lost_reason = ActiveEntryField(
        queryset=LostReason.objects.all(), help_text=_("Id of a lost-deal reason.")
    )


class StageChangeSerializer(ApiModelSerializer):
    from_stage_name = serializers.CharField(
        source="from_stage.name", read_only=True, allow_null=True, default=None
    )
    to_stage_name = serializers.CharField(
        source="to_stage.name", read_only=True, allow_null=True, default=None
    )
    changed_by_name = serializers.StringRelatedField(source="changed_by", read_only=True)
    from_status = EnumField(OpportunityStatus, read_only=True, allow_blank=True)
    to_status = EnumField(OpportunityStatus, read_only=True, allow_blank=True)

    class Meta:
        model = StageChange
        fields = [
            "id", "from_stage", "from_stage_name", "to_stage", "to_stage_name", "from_status",
            "to_status", "changed_by", "changed_by_name", "changed_at",
        ]  # fmt: skip
        read_only_fields = fields


# --- tasks -------------------------------------------------------------------------------


class TaskSerializer(ApiModelSerializer):
    customer = CurrentOrVisibleCustomerField(help_text=_("Id of a customer you may see."))
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    opportunity = VisibleOpportunityField(
        required=False,
        allow_null=True,
        help_text=_("Id of an opportunity of the same customer."),
    )
    salesperson = _user_field(_("User id of the salesperson; defaults to the creator."))
    salesperson_name = serializers.StringRelatedField(source="salesperson", read_only=True)
    work_method = ActiveEntryField(
        queryset=WorkMethod.objects.all(), required=False, allow_null=True
    )
    status = EnumField(TaskStatus, read_only=True)
    overdue = serializers.SerializerMethodField(help_text=_("Planned and dated before today."))

    class Meta:
        model = Task
        fields = [
            "id", "customer", "customer_name", "opportunity", "salesperson",
            "salesperson_name", "date", "time", "work_method", "purpose", "location",
            "result", "status", "overdue", "done_at", "version", "created_at", "updated_at",
            "created_by", "updated_by",
        ]  # fmt: skip
        read_only_fields = [
            "status", "done_at", "version", "created_at", "updated_at", "created_by",
            "updated_by",
        ]  # fmt: skip

    @extend_schema_field(serializers.BooleanField())
    def get_overdue(self, task: Task) -> bool:
        today = self.context.get("today")
        if today is None:
            today = self.context["today"] = clock.localdate()
        return task.is_overdue(today)


class TaskListParams(serializers.Serializer):
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Part of the purpose, customer name, location or result."),
    )
    period = serializers.ChoiceField(
        choices=[
            ("today", _("Today")),
            ("week", _("This week (Monday to Sunday)")),
            ("overdue", _("Planned, dated before today")),
            ("upcoming", _("Planned, from today on")),
            ("done", _("Done")),
        ],
        required=False,
        allow_blank=True,
        default="",
        help_text=_(
            "today, week, overdue, upcoming or done. Dated periods list the earliest first; "
            "otherwise the latest first."
        ),
    )
    mine = serializers.BooleanField(
        required=False, default=False, help_text=_("Only tasks where you are the salesperson.")
    )
    customer = IdField(required=False, help_text=_("Customer id."))
    opportunity = IdField(required=False, help_text=_("Opportunity id."))
    salesperson = IdField(required=False, help_text=_("User id."))
    status = serializers.ChoiceField(choices=TaskStatus.choices, required=False)
    work_method = IdField(required=False, help_text=_("Work method id."))

    FILTERS = ("customer", "opportunity", "salesperson", "status", "work_method")

    def filters(self) -> dict[str, Any]:
        return {k: v for k, v in self.validated_data.items() if k in self.FILTERS}


class TaskCompleteSerializer(serializers.Serializer):
    result = serializers.CharField(
        allow_blank=True, help_text=_("What came of the task (required).")
    )


# --- products ----------------------------------------------------------------------------


class ProductSerializer(ApiModelSerializer):
    code = serializers.CharField(
        max_length=32,
        # Unique regardless of case: product_create/update check it (400 on "code").
        validators=[],
    )

    class Meta:
        model = Product
        fields = [
            "id", "code", "name", "specification", "unit", "list_price", "category",
            "features", "is_active", "version", "created_at", "updated_at", "created_by",
            "updated_by",
        ]  # fmt: skip
        read_only_fields = ["version", "created_at", "updated_at", "created_by", "updated_by"]


class ProductListParams(serializers.Serializer):
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Part of the code, name or specification, or the name's pinyin."),
    )
    active = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text=_("Only active (or inactive).")
    )
    category = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("Exact category.")
    )


# --- contracts ---------------------------------------------------------------------------


class ContractLineSerializer(ApiModelSerializer):
    product_code = serializers.CharField(source="product.code", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    unit = serializers.CharField(source="product.unit", read_only=True)

    class Meta:
        model = ContractLine
        fields = [
            "id", "position", "product", "product_code", "product_name", "unit", "quantity",
            "unit_price", "amount",
        ]  # fmt: skip
        read_only_fields = fields


class ContractLineInputSerializer(serializers.Serializer):
    product = IdRelatedField(
        queryset=Product.objects.all(),
        help_text=_("Product id; an inactive product only if it is already on the contract."),
    )
    quantity = serializers.DecimalField(
        max_digits=QUANTITY["max_digits"],
        decimal_places=QUANTITY["decimal_places"],
        help_text=_('Up to 3 decimals, e.g. "2" or "0.333".'),
    )
    unit_price = serializers.DecimalField(
        **MONEY,
        required=False,
        allow_null=True,
        help_text=_("Up to 2 decimals; the product's list price when left out."),
    )


class ApprovalDecisionSerializer(ApiModelSerializer):
    approver_name = serializers.StringRelatedField(source="approver", read_only=True)

    class Meta:
        model = ApprovalDecision
        fields = ["id", "decision", "approver", "approver_name", "comment", "total", "decided_at"]
        read_only_fields = fields


class ContractSerializer(ApiModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    owner_name = serializers.StringRelatedField(source="owner", read_only=True)
    approver_name = serializers.StringRelatedField(source="approver", read_only=True)
    status = EnumField(ContractStatus, read_only=True)
    outstanding = serializers.DecimalField(**MONEY, read_only=True, help_text=_("Total less paid."))
    lines = ContractLineSerializer(many=True, read_only=True)
    decisions = ApprovalDecisionSerializer(
        many=True, read_only=True, help_text=_("Every approval decision, latest first.")
    )

    class Meta:
        model = Contract
        fields = [
            "id", "number", "title", "customer", "customer_name", "opportunity", "owner",
            "owner_name", "signed_on", "status", "total", "paid", "outstanding", "approver",
            "approver_name", "submitted_at", "started_on", "completed_on", "notes", "lines",
            "decisions", "version", "created_at", "updated_at", "created_by", "updated_by",
        ]  # fmt: skip
        read_only_fields = fields


class ContractWriteSerializer(ApiModelSerializer):
    """A contract as sent: the header and its lines. `lines` replaces all the lines (only in
    draft or rejected); the total and each line's amount are computed by the server."""

    customer = CurrentOrVisibleCustomerField(help_text=_("Id of a customer you may see."))
    opportunity = VisibleOpportunityField(
        required=False,
        allow_null=True,
        help_text=_("Id of an opportunity of the same customer."),
    )
    owner = _user_field(_("User id of the person responsible; defaults to the creator."))
    lines = ContractLineInputSerializer(
        many=True, required=False, max_length=MAX_LINES, help_text=_("Replace all the lines.")
    )

    class Meta:
        model = Contract
        fields = ["customer", "opportunity", "owner", "signed_on", "title", "notes", "lines"]


class ContractFromOpportunitySerializer(serializers.Serializer):
    owner = _user_field(_("User id of the person responsible; defaults to you."))
    signed_on = DateField(required=False, allow_null=True)
    title = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text=_("The project name if left out."),
    )
    notes = serializers.CharField(required=False, allow_blank=True)
    lines = ContractLineInputSerializer(many=True, required=False, max_length=MAX_LINES)


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class RequiredCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(
        allow_blank=True, help_text=_("Why the contract is terminated (required).")
    )


class ContractListParams(serializers.Serializer):
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Part of the number, title or customer name."),
    )
    status = serializers.ChoiceField(choices=ContractStatus.choices, required=False)
    customer = IdField(required=False, help_text=_("Customer id."))
    owner = IdField(required=False, help_text=_("User id."))
    opportunity = IdField(required=False, help_text=_("Opportunity id."))
    signed_from = DateField(required=False)
    signed_to = DateField(required=False)
    outstanding = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("Only approved, executing or completed contracts not yet fully paid."),
    )
    awaiting_my_approval = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "The approval queue: pending contracts you may decide on (not your own, inside "
            "your department tree). Needs contracts.approve; empty otherwise."
        ),
    )
    ordering = serializers.ChoiceField(
        choices=_ordering_choices("id", "number", "total"), required=False, default="-id"
    )

    FILTERS = (
        "status",
        "customer",
        "owner",
        "opportunity",
        "signed_from",
        "signed_to",
        "outstanding",
    )

    def filters(self) -> dict[str, Any]:
        return {k: v for k, v in self.validated_data.items() if k in self.FILTERS}


# --- sales records -----------------------------------------------------------------------


class SalesRecordSerializer(ApiModelSerializer):
    customer = CurrentOrVisibleCustomerField(help_text=_("Id of a customer you may see."))
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    product_code = serializers.CharField(source="product.code", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    salesperson = _user_field(_("User id of the salesperson; defaults to the creator."))
    salesperson_name = serializers.StringRelatedField(source="salesperson", read_only=True)
    contract_number = serializers.CharField(
        source="contract.number", read_only=True, allow_null=True, default=None
    )
    unit_price = serializers.DecimalField(
        **MONEY,
        min_value=0,
        required=False,
        allow_null=True,
        help_text=_("The product's list price when left out."),
    )
    direct = serializers.SerializerMethodField(
        help_text=_("Entered directly (editable), not created from a contract line.")
    )

    class Meta:
        model = SalesRecord
        fields = [
            "id", "customer", "customer_name", "product", "product_code", "product_name",
            "contract", "contract_number", "salesperson", "salesperson_name", "date",
            "quantity", "unit_price", "amount", "notes", "direct", "created_at",
            "updated_at", "created_by", "updated_by",
        ]  # fmt: skip
        read_only_fields = [
            "contract", "amount", "created_at", "updated_at", "created_by", "updated_by",
        ]  # fmt: skip

    @extend_schema_field(serializers.BooleanField())
    def get_direct(self, record: SalesRecord) -> bool:
        return record.contract_id is None and record.contract_line_id is None


class SalesRecordListParams(serializers.Serializer):
    customer = IdField(required=False, help_text=_("Customer id."))
    product = IdField(required=False, help_text=_("Product id."))
    salesperson = IdField(required=False, help_text=_("User id."))
    contract = IdField(required=False, help_text=_("Contract id."))
    date_from = DateField(required=False)
    date_to = DateField(required=False)


# --- payments ----------------------------------------------------------------------------


class PaymentSerializer(ApiModelSerializer):
    contract = PayableContractField(
        help_text=_("Id of an approved, executing or completed contract you may see; fixed.")
    )
    contract_number = serializers.CharField(source="contract.number", read_only=True)
    customer = serializers.IntegerField(source="contract.customer_id", read_only=True)
    customer_name = serializers.CharField(source="contract.customer.name", read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id", "contract", "contract_number", "customer", "customer_name", "date", "amount",
            "method", "note", "created_at", "updated_at", "created_by", "updated_by",
        ]  # fmt: skip
        read_only_fields = ["created_at", "updated_at", "created_by", "updated_by"]


class PaymentUpdateSerializer(PaymentSerializer):
    """A payment stays with its contract: on update `contract` is read-only."""

    contract = IdRelatedField(read_only=True)


class PaymentListParams(serializers.Serializer):
    contract = IdField(required=False, help_text=_("Contract id."))
    customer = IdField(required=False, help_text=_("Customer id."))
    date_from = DateField(required=False)
    date_to = DateField(required=False)


# --- receivables -------------------------------------------------------------------------


class ReceivableSerializer(serializers.Serializer):
    """What a customer still owes on contracts in force, split by age: days since the
    contract was signed (or entered, without a signing date)."""

    customer = serializers.IntegerField()
    customer_name = serializers.CharField(source="customer__name")
    customer_code = serializers.CharField(source="customer__code")
    owner = serializers.IntegerField(help_text=_("Owner of these contracts."))
    contracts = serializers.IntegerField(help_text=_("Contracts with an outstanding amount."))
    outstanding = serializers.DecimalField(**MONEY)
    oldest = DateField(help_text=_("Signing date of the oldest of these contracts."))
    age_0_30 = serializers.DecimalField(**MONEY, help_text=_("0–30 days."))
    age_31_90 = serializers.DecimalField(**MONEY, help_text=_("31–90 days."))
    age_91_180 = serializers.DecimalField(**MONEY, help_text=_("91–180 days."))
    age_181_365 = serializers.DecimalField(**MONEY, help_text=_("181–365 days."))
    age_366_plus = serializers.DecimalField(**MONEY, help_text=_("Over a year."))


class ReceivableListParams(serializers.Serializer):
    customer = IdField(required=False, help_text=_("Customer id."))
