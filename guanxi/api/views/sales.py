"""Customer development (客户发展管理): opportunities, tasks, products, contracts with their
approval, sales records, payments and receivables.

Reads come from the scope-limited selectors (a record outside the reader's scope is a 404);
every write goes through a service, whose ValidationError is a 400 with field errors and
whose PermissionDenied is a 403.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from guanxi.accounts.enums import Action, Module
from guanxi.accounts.rules import require
from guanxi.sales.models import (
    ApprovalDecision,
    Contract,
    ContractLine,
    Opportunity,
    Payment,
    Product,
    SalesRecord,
    Task,
)
from guanxi.sales.selectors import (
    RECEIVABLE_ORDERING,
    access_contract_by_id,
    access_opportunity_by_id,
    access_payment_by_id,
    access_product_by_id,
    access_sales_record_by_id,
    access_task_by_id,
    approval_queue,
    contract_list,
    opportunity_list,
    payment_list,
    product_list,
    receivable_ages,
    receivables,
    sales_record_list,
    stage_history,
    task_list,
)
from guanxi.sales.services.contracts import (
    contract_approve,
    contract_complete,
    contract_create,
    contract_delete,
    contract_from_opportunity,
    contract_reject,
    contract_start,
    contract_submit,
    contract_terminate,
    contract_update,
)
from guanxi.sales.services.opportunities import (
    opportunity_create,
    opportunity_delete,
    opportunity_lose,
    opportunity_move,
    opportunity_reopen,
    opportunity_update,
    opportunity_win,
)
from guanxi.sales.services.products import product_create, product_delete, product_update
from guanxi.sales.services.records import (
    payment_create,
    payment_delete,
    payment_update,
    sales_record_create,
    sales_record_delete,
    sales_record_update,
)
from guanxi.sales.services.tasks import (
    task_complete,
    task_create,
    task_delete,
    task_reopen,
    task_update,
)

from ..serializers.sales import (
    CommentSerializer,
    ContractFromOpportunitySerializer,
    ContractListParams,
    ContractSerializer,
    ContractWriteSerializer,
    OpportunityListParams,
    OpportunityLoseSerializer,
    OpportunityMoveSerializer,
    OpportunitySerializer,
    OpportunityWinSerializer,
    PaymentListParams,
    PaymentSerializer,
    PaymentUpdateSerializer,
    ProductListParams,
    ProductSerializer,
    ReceivableListParams,
    ReceivableSerializer,
    RequiredCommentSerializer,
    SalesRecordListParams,
    SalesRecordSerializer,
    StageChangeSerializer,
    TaskCompleteSerializer,
    TaskListParams,
    TaskSerializer,
)
from .base import ApiViewSet, keyset

FIELD_ERRORS = OpenApiResponse(description="Field errors: {field: [messages]}.")
NOT_FOUND = OpenApiResponse(description="No such record within your scope.")
REFUSED = OpenApiResponse(description="Missing permission, or a rule forbids you this action.")
STATE_ERROR = OpenApiResponse(
    description="Not possible in the record's current state (or someone else acted first): "
    "the reason is in non_field_errors."
)


def _crud_schema(serializer: Any, list_params: Any, noun: str, **overrides: Any) -> Any:
    """The usual schema of a record's list, read, create, update and delete."""
    views = {
        "list": extend_schema(parameters=[list_params], summary=f"{noun} you may see"),
        "retrieve": extend_schema(responses={200: serializer, 404: NOT_FOUND}),
        "create": extend_schema(responses={201: serializer, 400: FIELD_ERRORS, 403: REFUSED}),
        "update": extend_schema(
            responses={200: serializer, 400: FIELD_ERRORS, 403: REFUSED, 404: NOT_FOUND}
        ),
        "partial_update": extend_schema(
            responses={200: serializer, 400: FIELD_ERRORS, 403: REFUSED, 404: NOT_FOUND}
        ),
        "destroy": extend_schema(
            responses={204: None, 400: STATE_ERROR, 403: REFUSED, 404: NOT_FOUND}
        ),
    }
    views.update(overrides)
    return extend_schema_view(**views)


def _changed(instance: Any, fields: dict[str, Any]) -> dict[str, Any]:
    """Only the fields whose value differs from the record's, so that sending a record back
    with its current values asks the service for no change."""
    changed = {}
    for name, value in fields.items():
        current = getattr(instance, name)
        if hasattr(current, "pk") or hasattr(value, "pk"):
            same = getattr(current, "pk", current) == getattr(value, "pk", value)
        else:
            same = current == value
        if not same:
            changed[name] = value
    return changed


def _lines(fields: dict[str, Any]) -> list[dict[str, Any]] | None:
    lines = fields.pop("lines", None)
    return None if lines is None else [dict(line) for line in lines]


# --- opportunities -----------------------------------------------------------------------


@_crud_schema(OpportunitySerializer, OpportunityListParams, "Opportunities")
class OpportunityViewSet(ApiViewSet):
    """Sales opportunities (销售机会) within your scope. Every change of stage or outcome is
    recorded (see stage-changes). Left out, the stage is the first active one and the
    probability the stage's default."""

    module = Module.OPPORTUNITIES
    serializer_class = OpportunitySerializer
    versioned_actions = frozenset(
        {"update", "partial_update", "destroy", "move", "win", "lose", "reopen"}
    )
    action_permissions = {
        "move": Action.CHANGE,
        "win": Action.CHANGE,
        "lose": Action.CHANGE,
        "reopen": Action.CHANGE,
        # Seeing the opportunity is enough here; the contract service asks for
        # contracts.create itself.
        "contract": Action.VIEW,
    }

    def get_queryset(self) -> QuerySet[Opportunity]:
        return opportunity_list(reader=self.request.user)

    def get_object(self) -> Opportunity:
        return access_opportunity_by_id(reader=self.request.user, opportunity_id=self.kwargs["pk"])

    def list(self, request: Request) -> Response:
        params = self.query_params(OpportunityListParams)
        ordering = params.validated_data["ordering"]
        opportunities = opportunity_list(
            reader=request.user,
            search=params.validated_data["search"],
            filters=params.filters(),
            ordering=ordering,
        ).prefetch_related("competitors")
        return self.render_page(opportunities, keyset(ordering))

    def retrieve(self, request: Request, pk: int) -> Response:
        return self.render(self.get_object())

    def create(self, request: Request) -> Response:
        fields = dict(self.parse(OpportunitySerializer, request.data).validated_data)
        opportunity = opportunity_create(actor=request.user, **fields)
        return self.render(opportunity, status=status.HTTP_201_CREATED)

    def update(self, request: Request, pk: int, partial: bool = False) -> Response:
        opportunity = self.get_object()
        serializer = self.get_serializer(opportunity, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        opportunity = opportunity_update(
            actor=request.user,
            opportunity=opportunity,
            expected_version=self.expected_version(),
            **serializer.validated_data,
        )
        return self.render(opportunity)

    def partial_update(self, request: Request, pk: int) -> Response:
        return self.update(request, pk, partial=True)

    def destroy(self, request: Request, pk: int) -> Response:
        opportunity_delete(
            actor=request.user,
            opportunity=self.get_object(),
            expected_version=self.expected_version(),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=OpportunityMoveSerializer,
        responses={200: OpportunitySerializer, 400: FIELD_ERRORS, 403: REFUSED, 404: NOT_FOUND},
        summary="Move an open opportunity to another stage",
    )
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: int) -> Response:
        opportunity = self.get_object()
        stage = self.parse(OpportunityMoveSerializer, request.data).validated_data["stage"]
        return self.render(
            opportunity_move(
                actor=request.user,
                opportunity=opportunity,
                stage=stage,
                expected_version=self.expected_version(),
            )
        )

    @extend_schema(
        request=OpportunityWinSerializer,
        responses={200: OpportunitySerializer, 400: STATE_ERROR, 403: REFUSED, 404: NOT_FOUND},
        summary="Close an open opportunity as won",
    )
    @action(detail=True, methods=["post"])
    def win(self, request: Request, pk: int) -> Response:
        opportunity = self.get_object()
        note = self.parse(OpportunityWinSerializer, request.data).validated_data["note"]
        return self.render(
            opportunity_win(
                actor=request.user,
                opportunity=opportunity,
                note=note,
                expected_version=self.expected_version(),
            )
        )

    @extend_schema(
        request=OpportunityLoseSerializer,
        responses={200: OpportunitySerializer, 400: FIELD_ERRORS, 403: REFUSED, 404: NOT_FOUND},
        summary="Close an open opportunity as lost, with a reason",
    )
    @action(detail=True, methods=["post"])
    def lose(self, request: Request, pk: int) -> Response:
        opportunity = self.get_object()
        data = self.parse(OpportunityLoseSerializer, request.data).validated_data
        opportunity = opportunity_lose(
            actor=request.user,
            opportunity=opportunity,
            reason=data["lost_reason"],
            note=data["note"],
            expected_version=self.expected_version(),
        )
        return self.render(opportunity)

    @extend_schema(
        request=None,
        responses={200: OpportunitySerializer, 400: STATE_ERROR, 403: REFUSED, 404: NOT_FOUND},
        summary="Take a closed opportunity back into the pipeline",
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: int) -> Response:
        opportunity = self.get_object()
        return self.render(
            opportunity_reopen(
                actor=request.user,
                opportunity=opportunity,
                expected_version=self.expected_version(),
            )
        )

    @extend_schema(
        request=ContractFromOpportunitySerializer,
        responses={201: ContractSerializer, 400: FIELD_ERRORS, 403: REFUSED, 404: NOT_FOUND},
        summary="Create a draft contract from a won opportunity",
    )
    @action(detail=True, methods=["post"])
    def contract(self, request: Request, pk: int) -> Response:
        """The contract takes the opportunity's customer and name; lines may be sent now or
        added later. Also requires the permission `contracts.create`."""
        opportunity = self.get_object()
        require(request.user, Module.CONTRACTS, Action.CREATE)
        fields = dict(self.parse(ContractFromOpportunitySerializer, request.data).validated_data)
        lines = _lines(fields)
        if lines is not None:
            fields["lines"] = lines
        contract = contract_from_opportunity(actor=request.user, opportunity=opportunity, **fields)
        return render_contract(self, contract, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: StageChangeSerializer(many=True), 404: NOT_FOUND},
        summary="Stage changes of an opportunity, oldest first",
    )
    @action(detail=True, methods=["get"], url_path="stage-changes", pagination_class=None)
    def stage_changes(self, request: Request, pk: int) -> Response:
        changes = stage_history(opportunity=self.get_object())
        return Response(StageChangeSerializer(changes, many=True).data)


# --- tasks -------------------------------------------------------------------------------


@_crud_schema(TaskSerializer, TaskListParams, "Tasks")
class TaskViewSet(ApiViewSet):
    """Task progress (任务进度): visits, calls and meetings of the salespeople within your
    scope. `overdue` is derived: planned and dated before today."""

    module = Module.TASKS
    serializer_class = TaskSerializer
    action_permissions = {"complete": Action.CHANGE, "reopen": Action.CHANGE}
    versioned_actions = frozenset({"update", "partial_update", "destroy", "complete", "reopen"})

    def get_queryset(self) -> QuerySet[Task]:
        return task_list(reader=self.request.user)

    def get_object(self) -> Task:
        return access_task_by_id(reader=self.request.user, task_id=self.kwargs["pk"])

    def list(self, request: Request) -> Response:
        params = self.query_params(TaskListParams)
        data = params.validated_data
        tasks = task_list(
            reader=request.user,
            search=data["search"],
            filters=params.filters(),
            period=data["period"],
            mine=data["mine"],
        )
        if data["period"] in ("today", "week", "overdue", "upcoming"):
            ordering: tuple[str, ...] = ("date", "time", "id")
        else:
            ordering = ("-date", "-time", "-id")
        return self.render_page(tasks, ordering)

    def retrieve(self, request: Request, pk: int) -> Response:
        return self.render(self.get_object())

    def create(self, request: Request) -> Response:
        fields = dict(self.parse(TaskSerializer, request.data).validated_data)
        return self.render(
            task_create(actor=request.user, **fields), status=status.HTTP_201_CREATED
        )

    def update(self, request: Request, pk: int, partial: bool = False) -> Response:
        task = self.get_object()
        serializer = self.get_serializer(task, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return self.render(
            task_update(
                actor=request.user,
                task=task,
                expected_version=self.expected_version(),
                **serializer.validated_data,
            )
        )

    def partial_update(self, request: Request, pk: int) -> Response:
        return self.update(request, pk, partial=True)

    def destroy(self, request: Request, pk: int) -> Response:
        task_delete(
            actor=request.user,
            task=self.get_object(),
            expected_version=self.expected_version(),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=TaskCompleteSerializer,
        responses={200: TaskSerializer, 400: FIELD_ERRORS, 403: REFUSED, 404: NOT_FOUND},
        summary="Mark a planned task done, with its result",
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: int) -> Response:
        task = self.get_object()
        result = self.parse(TaskCompleteSerializer, request.data).validated_data["result"]
        return self.render(
            task_complete(
                actor=request.user,
                task=task,
                result=result,
                expected_version=self.expected_version(),
            )
        )

    @extend_schema(
        request=None,
        responses={200: TaskSerializer, 400: STATE_ERROR, 403: REFUSED, 404: NOT_FOUND},
        summary="Take a done task back to planned",
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: int) -> Response:
        return self.render(
            task_reopen(
                actor=request.user,
                task=self.get_object(),
                expected_version=self.expected_version(),
            )
        )


# --- products ----------------------------------------------------------------------------


@_crud_schema(
    ProductSerializer,
    ProductListParams,
    "Products",
    destroy=extend_schema(
        summary="Delete a product nobody has used",
        responses={
            204: None,
            400: OpenApiResponse(
                description="The product is on contracts or sales records: deactivate it."
            ),
            403: REFUSED,
            404: NOT_FOUND,
        },
    ),
)
class ProductViewSet(ApiViewSet):
    """The product catalogue (产品). Search matches the code, name, specification or the
    name's pinyin (full or initials)."""

    module = Module.PRODUCTS
    serializer_class = ProductSerializer
    versioned_actions = frozenset({"update", "partial_update"})
    keyset_ordering = ("code",)

    def get_queryset(self) -> QuerySet[Product]:
        return product_list(reader=self.request.user)

    def get_object(self) -> Product:
        return access_product_by_id(reader=self.request.user, product_id=self.kwargs["pk"])

    def list(self, request: Request) -> Response:
        params = self.query_params(ProductListParams).validated_data
        products = product_list(
            reader=request.user,
            search=params["search"],
            active=params["active"],
            category=params["category"].strip(),
        )
        return self.render_page(products, ("code",))

    def retrieve(self, request: Request, pk: int) -> Response:
        return self.render(self.get_object())

    def create(self, request: Request) -> Response:
        fields = dict(self.parse(ProductSerializer, request.data).validated_data)
        return self.render(
            product_create(actor=request.user, **fields), status=status.HTTP_201_CREATED
        )

    def update(self, request: Request, pk: int, partial: bool = False) -> Response:
        product = self.get_object()
        serializer = self.get_serializer(product, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return self.render(
            product_update(
                actor=request.user,
                product=product,
                expected_version=self.expected_version(),
                **serializer.validated_data,
            )
        )

    def partial_update(self, request: Request, pk: int) -> Response:
        return self.update(request, pk, partial=True)

    def destroy(self, request: Request, pk: int) -> Response:
        product_delete(actor=request.user, product=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- contracts ---------------------------------------------------------------------------

CONTRACT_DETAILS = (
    Prefetch("lines", queryset=ContractLine.objects.select_related("product")),
    Prefetch("decisions", queryset=ApprovalDecision.objects.select_related("approver")),
)


def render_contract(view: ApiViewSet, contract: Contract, status: int = 200) -> Response:
    """A contract as it is now in the database, with its lines and decisions."""
    fresh = (
        Contract.objects.select_related("customer", "owner", "approver")
        .prefetch_related(*CONTRACT_DETAILS)
        .get(pk=contract.pk)
    )
    return view.render(fresh, status=status, serializer_class=ContractSerializer)


CONTRACT_ACTION = {200: ContractSerializer, 400: STATE_ERROR, 403: REFUSED, 404: NOT_FOUND}


@_crud_schema(
    ContractSerializer,
    ContractListParams,
    "Contracts",
    create=extend_schema(
        request=ContractWriteSerializer,
        responses={201: ContractSerializer, 400: FIELD_ERRORS, 403: REFUSED},
    ),
    update=extend_schema(
        request=ContractWriteSerializer,
        responses={200: ContractSerializer, 400: FIELD_ERRORS, 403: REFUSED, 404: NOT_FOUND},
    ),
    partial_update=extend_schema(
        request=ContractWriteSerializer,
        responses={200: ContractSerializer, 400: FIELD_ERRORS, 403: REFUSED, 404: NOT_FOUND},
    ),
    destroy=extend_schema(
        summary="Delete a draft or rejected contract",
        responses={204: None, 400: STATE_ERROR, 403: REFUSED, 404: NOT_FOUND},
    ),
)
class ContractViewSet(ApiViewSet):
    """Contracts (合同) within your scope.

    Status flow: draft → pending (approval) → approved → executing → completed; a pending
    contract can be rejected, corrected and submitted again; a pending, approved or executing
    one can be terminated. Lines can be changed only in draft or rejected; the total and each
    line's amount are computed by the server in exact decimals.

    The approval queue is `GET /api/v1/contracts/?awaiting_my_approval=1`: pending contracts
    you may approve or reject."""

    module = Module.CONTRACTS
    serializer_class = ContractSerializer
    versioned_actions = frozenset(
        {
            *("update", "partial_update", "destroy", "submit", "approve", "reject"),
            *("start", "complete", "terminate"),
        }
    )
    action_permissions = {
        "submit": Action.CHANGE,
        "start": Action.CHANGE,
        "complete": Action.CHANGE,
        "terminate": Action.CHANGE,
        "approve": Action.APPROVE,
        "reject": Action.APPROVE,
    }

    def get_queryset(self) -> QuerySet[Contract]:
        return contract_list(reader=self.request.user)

    def get_object(self) -> Contract:
        return access_contract_by_id(reader=self.request.user, contract_id=self.kwargs["pk"])

    def list(self, request: Request) -> Response:
        params = self.query_params(ContractListParams)
        data = params.validated_data
        ordering = data["ordering"]
        contracts = contract_list(
            reader=request.user, search=data["search"], filters=params.filters(), ordering=ordering
        )
        if data["awaiting_my_approval"]:
            contracts = contracts.filter(pk__in=approval_queue(reader=request.user).values("pk"))
        return self.render_page(contracts.prefetch_related(*CONTRACT_DETAILS), keyset(ordering))

    def retrieve(self, request: Request, pk: int) -> Response:
        contract = self.get_object()
        prefetch_related_objects([contract], *CONTRACT_DETAILS)
        return self.render(contract)

    def create(self, request: Request) -> Response:
        fields = dict(self.parse(ContractWriteSerializer, request.data).validated_data)
        lines = _lines(fields)
        contract = contract_create(actor=request.user, lines=lines, **fields)
        return render_contract(self, contract, status=status.HTTP_201_CREATED)

    def update(self, request: Request, pk: int, partial: bool = False) -> Response:
        contract = self.get_object()
        serializer = ContractWriteSerializer(
            contract, data=request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        lines = _lines(fields)
        contract = contract_update(
            actor=request.user,
            contract=contract,
            lines=lines,
            expected_version=self.expected_version(),
            **_changed(contract, fields),
        )
        return render_contract(self, contract)

    def partial_update(self, request: Request, pk: int) -> Response:
        return self.update(request, pk, partial=True)

    def destroy(self, request: Request, pk: int) -> Response:
        contract_delete(
            actor=request.user,
            contract=self.get_object(),
            expected_version=self.expected_version(),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=CommentSerializer,
        responses=CONTRACT_ACTION,
        summary="Submit a draft or rejected contract",
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: int) -> Response:
        """At or above the approval threshold (or always, if the rule says so) it waits for
        the owner's department head; below it, it is approved at once."""
        contract = self.get_object()
        comment = self.parse(CommentSerializer, request.data).validated_data["comment"]
        return render_contract(
            self,
            contract_submit(
                actor=request.user,
                contract=contract,
                comment=comment,
                expected_version=self.expected_version(),
            ),
        )

    @extend_schema(
        request=CommentSerializer,
        responses=CONTRACT_ACTION,
        summary="Approve a pending contract",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: int) -> Response:
        """Needs `contracts.approve`; never your own contract (403); only inside your
        department tree. If someone decided first, 400 says what the contract is now."""
        contract = self.get_object()
        comment = self.parse(CommentSerializer, request.data).validated_data["comment"]
        return render_contract(
            self,
            contract_approve(
                actor=request.user,
                contract=contract,
                comment=comment,
                expected_version=self.expected_version(),
            ),
        )

    @extend_schema(
        request=CommentSerializer,
        responses=CONTRACT_ACTION,
        summary="Reject a pending contract",
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: int) -> Response:
        """Its lines become editable again; it can then be submitted again. The same rules
        as approving apply."""
        contract = self.get_object()
        comment = self.parse(CommentSerializer, request.data).validated_data["comment"]
        return render_contract(
            self,
            contract_reject(
                actor=request.user,
                contract=contract,
                comment=comment,
                expected_version=self.expected_version(),
            ),
        )

    @extend_schema(
        request=None,
        responses=CONTRACT_ACTION,
        summary="Start executing an approved contract",
    )
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: int) -> Response:
        """Its lines become sales records; the customer becomes active (现有)."""
        contract = self.get_object()
        return render_contract(
            self,
            contract_start(
                actor=request.user,
                contract=contract,
                expected_version=self.expected_version(),
            ),
        )

    @extend_schema(
        request=None, responses=CONTRACT_ACTION, summary="Complete an executing contract"
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: int) -> Response:
        contract = self.get_object()
        return render_contract(
            self,
            contract_complete(
                actor=request.user,
                contract=contract,
                expected_version=self.expected_version(),
            ),
        )

    @extend_schema(
        request=RequiredCommentSerializer,
        responses={**CONTRACT_ACTION, 400: FIELD_ERRORS},
        summary="Terminate a pending, approved or executing contract (reason required)",
    )
    @action(detail=True, methods=["post"])
    def terminate(self, request: Request, pk: int) -> Response:
        contract = self.get_object()
        comment = self.parse(RequiredCommentSerializer, request.data).validated_data["comment"]
        return render_contract(
            self,
            contract_terminate(
                actor=request.user,
                contract=contract,
                comment=comment,
                expected_version=self.expected_version(),
            ),
        )


# --- sales records -----------------------------------------------------------------------


@_crud_schema(SalesRecordSerializer, SalesRecordListParams, "Sales records")
class SalesRecordViewSet(ApiViewSet):
    """Sales records (销售情况): created from the lines of a contract when it starts
    executing, or entered directly (history). Only direct entries can be changed or deleted;
    the amount is computed by the server."""

    module = Module.SALES_RECORDS
    serializer_class = SalesRecordSerializer

    def get_queryset(self) -> QuerySet[SalesRecord]:
        return sales_record_list(reader=self.request.user)

    def get_object(self) -> SalesRecord:
        return access_sales_record_by_id(reader=self.request.user, record_id=self.kwargs["pk"])

    def list(self, request: Request) -> Response:
        params = self.query_params(SalesRecordListParams).validated_data
        records = sales_record_list(reader=request.user, filters=params)
        return self.render_page(records, ("-date", "-id"))

    def retrieve(self, request: Request, pk: int) -> Response:
        return self.render(self.get_object())

    def create(self, request: Request) -> Response:
        fields = dict(self.parse(SalesRecordSerializer, request.data).validated_data)
        return self.render(
            sales_record_create(actor=request.user, **fields), status=status.HTTP_201_CREATED
        )

    def update(self, request: Request, pk: int, partial: bool = False) -> Response:
        record = self.get_object()
        serializer = self.get_serializer(record, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return self.render(
            sales_record_update(actor=request.user, record=record, **serializer.validated_data)
        )

    def partial_update(self, request: Request, pk: int) -> Response:
        return self.update(request, pk, partial=True)

    def destroy(self, request: Request, pk: int) -> Response:
        sales_record_delete(actor=request.user, record=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- payments ----------------------------------------------------------------------------


@_crud_schema(
    PaymentSerializer,
    PaymentListParams,
    "Payments",
    update=extend_schema(
        request=PaymentUpdateSerializer,
        responses={200: PaymentSerializer, 400: FIELD_ERRORS, 403: REFUSED, 404: NOT_FOUND},
    ),
    partial_update=extend_schema(
        request=PaymentUpdateSerializer,
        responses={200: PaymentSerializer, 400: FIELD_ERRORS, 403: REFUSED, 404: NOT_FOUND},
    ),
)
class PaymentViewSet(ApiViewSet):
    """Payments received (回款) against contracts in force (approved, executing or
    completed). Together they never exceed the contract's total."""

    module = Module.PAYMENTS
    serializer_class = PaymentSerializer

    def get_queryset(self) -> QuerySet[Payment]:
        return payment_list(reader=self.request.user)

    def get_object(self) -> Payment:
        return access_payment_by_id(reader=self.request.user, payment_id=self.kwargs["pk"])

    def list(self, request: Request) -> Response:
        params = self.query_params(PaymentListParams).validated_data
        payments = payment_list(reader=request.user, filters=params)
        return self.render_page(payments, ("-date", "-id"))

    def retrieve(self, request: Request, pk: int) -> Response:
        return self.render(self.get_object())

    def create(self, request: Request) -> Response:
        fields = dict(self.parse(PaymentSerializer, request.data).validated_data)
        contract = fields.pop("contract")
        payment = payment_create(actor=request.user, contract=contract, **fields)
        return self.render(payment, status=status.HTTP_201_CREATED)

    def update(self, request: Request, pk: int, partial: bool = False) -> Response:
        payment = self.get_object()
        serializer = PaymentUpdateSerializer(
            payment, data=request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        payment = payment_update(actor=request.user, payment=payment, **serializer.validated_data)
        return self.render(payment)

    def partial_update(self, request: Request, pk: int) -> Response:
        return self.update(request, pk, partial=True)

    def destroy(self, request: Request, pk: int) -> Response:
        payment_delete(actor=request.user, payment=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- receivables -------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(parameters=[ReceivableListParams], summary="Receivables by customer")
)
class ReceivableViewSet(ApiViewSet):
    """Receivables (应收): what each customer still owes on contracts in force within your
    scope, one row per customer and contract owner, split by age, the largest first."""

    module = Module.PAYMENTS
    serializer_class = ReceivableSerializer

    def get_queryset(self) -> Any:
        return receivables(reader=self.request.user)

    def list(self, request: Request) -> Response:
        params = self.query_params(ReceivableListParams).validated_data
        rows = receivables(reader=request.user, customer=params.get("customer"))
        self.keyset_ordering = RECEIVABLE_ORDERING
        page = receivable_ages(reader=request.user, rows=self.paginate_queryset(rows))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
