"""Customer service (客户服务管理): interaction feedback, service requests with their workflow
and due time, customer care actions, the churn warning and lost lists, and the service
settings.

Reads come from the scope-limited selectors: a feedback entry, request or care action is
visible when the reader's scope covers any of the people it concerns, and anything else is a
404. Every write goes through a service, whose ValidationError is a 400 with field errors
and whose PermissionDenied is a 403; a refused move changes nothing.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import BigIntegerField, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import Cursor
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from guanxi.accounts.enums import Action, Module
from guanxi.common import clock
from guanxi.service.models import CareAction, Feedback, ServiceRequest
from guanxi.service.selectors import (
    access_care,
    access_feedback,
    access_request,
    can_dispatch,
    care_list,
    churn_list,
    feedback_list,
    lost_list,
    my_queue,
    request_list,
    service_settings,
    team_queue,
)
from guanxi.service.services.care import (
    care_create,
    care_delete,
    care_done,
    care_skip,
    care_update,
    service_settings_update,
)
from guanxi.service.services.feedback import feedback_create, feedback_delete, feedback_update
from guanxi.service.services.requests import (
    request_assign,
    request_close,
    request_create,
    request_delete,
    request_reopen,
    request_resolve,
    request_start,
    request_update,
)

from ..pagination import KeysetPagination
from ..permissions import ModulePermission
from ..schema import ModuleAutoSchema
from ..serializers.service import (
    AssignSerializer,
    CareActionSerializer,
    CareActionUpdateSerializer,
    CareListParams,
    ChurnWarningSerializer,
    CloseSerializer,
    CustomerListSearchParams,
    FeedbackListParams,
    FeedbackSerializer,
    LostCustomerSerializer,
    NoteSerializer,
    ReopenSerializer,
    ResolveSerializer,
    ServiceRequestListParams,
    ServiceRequestSerializer,
    ServiceRequestUpdateSerializer,
    ServiceSettingsSerializer,
    TeamQueueParams,
)
from .base import ApiViewSet, keyset

FIELD_ERRORS = OpenApiResponse(description="Field errors: {field: [messages]}.")
NOT_FOUND = OpenApiResponse(description="No such record within your scope.")
REFUSED = OpenApiResponse(description="Missing permission, or a rule forbids you this action.")
STATE_ERROR = OpenApiResponse(
    description="Not possible in the record's current state (or someone else acted first): "
    "the reason is in non_field_errors; a missing or invalid value is a field error."
)


# --- pages -------------------------------------------------------------------------------


def _flip(field: str) -> str:
    return field[1:] if field.startswith("-") else f"-{field}"


def _key_text(value: Any) -> str:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


class TupleKeysetPagination(KeysetPagination):
    """Keyset pages keyed on every ordering column, not on the first one only.

    DRF's cursor keeps the first column's value and counts ties with an offset, which stops
    working past `offset_cutoff` equal values (a thousand holiday greetings due on one day).
    Here the cursor holds the whole key (e.g. due date and id) and the next page is the rows
    after it in (due_date, id) order: no offset, no COUNT, whatever the ties. The ordering
    columns must not be null (views key on non-null fields or on a Coalesce annotation).
    """

    def paginate_queryset(self, queryset: QuerySet, request: Any, view: Any = None) -> Any:
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.ordering = tuple(self.get_ordering(request, queryset, view))
        cursor = self.decode_cursor(request)
        reverse = bool(cursor and cursor.reverse)
        position = self._decode_position(cursor.position) if cursor else None
        ordering = [_flip(f) for f in self.ordering] if reverse else list(self.ordering)
        queryset = queryset.order_by(*ordering)
        try:  # a key that is not of the columns' types: a forged cursor
            if position is not None:
                queryset = queryset.filter(self._after(ordering, position))
            rows = list(queryset[: self.page_size + 1])
        except (ValueError, TypeError, OverflowError, DjangoValidationError):
            self.invalid_cursor()
        more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if reverse:
            rows.reverse()
        first = self._position(rows[0]) if rows else position
        last = self._position(rows[-1]) if rows else position
        if reverse:
            self._next_key = last if position is not None else None
            self._previous_key = first if more else None
        else:
            self._next_key = last if more else None
            self._previous_key = first if position is not None else None
        self.page = rows
        return rows

    def _decode_position(self, raw: str | None) -> list[str] | None:
        if raw is None:
            return None
        try:
            position = json.loads(raw)
        except ValueError:
            self.invalid_cursor()
        if (
            not isinstance(position, list)
            or len(position) != len(self.ordering)
            or not all(isinstance(v, str) and "\x00" not in v for v in position)
        ):
            self.invalid_cursor()
        return position

    @staticmethod
    def _after(ordering: list[str], position: list[str]) -> Q:
        """Rows after `position` in `ordering`: (a > x) or (a = x and b > y) or …"""
        q = Q(pk__in=[])
        for i, field in enumerate(ordering):
            name = field.lstrip("-")
            equal = {ordering[j].lstrip("-"): position[j] for j in range(i)}
            lookup = "lt" if field.startswith("-") else "gt"
            q |= Q(**equal, **{f"{name}__{lookup}": position[i]})
        return q

    def _position(self, row: Any) -> list[str]:
        return [_key_text(getattr(row, f.lstrip("-"))) for f in self.ordering]

    def _link(self, key: list[str] | None, reverse: bool) -> str | None:
        if key is None:
            return None
        return self.encode_cursor(Cursor(offset=0, reverse=reverse, position=json.dumps(key)))

    def get_next_link(self) -> str | None:
        return self._link(self._next_key, reverse=False)

    def get_previous_link(self) -> str | None:
        return self._link(self._previous_key, reverse=True)


def render_offset_page(
    view: Any, rows: Any, page: int, page_size: int, transform: Any = None
) -> Response:
    """A page of a query that cannot be keyed (a UNION): LIMIT/OFFSET with one row more to
    know whether another page follows; no COUNT. `next`/`previous` are ?page= links."""
    request = view.request
    start = (page - 1) * page_size
    found = list(rows[start : start + page_size + 1])
    more = len(found) > page_size
    found = found[:page_size]
    if transform is not None:
        found = transform(found)
    url = request.build_absolute_uri()
    next_link = replace_query_param(url, "page", page + 1) if more else None
    if page <= 1:
        previous_link = None
    elif page == 2:
        previous_link = remove_query_param(url, "page")
    else:
        previous_link = replace_query_param(url, "page", page - 1)
    serializer = view.get_serializer(found, many=True)
    return Response({"next": next_link, "previous": previous_link, "results": serializer.data})


class ServiceViewSet(ApiViewSet):
    pagination_class = TupleKeysetPagination


def _crud_schema(serializer: Any, list_params: Any, noun: str, **overrides: Any) -> Any:
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


# --- feedback ----------------------------------------------------------------------------

FEEDBACK_DETAILS = ("customer", "contact", "channel", "reported_by")


@_crud_schema(FeedbackSerializer, FeedbackListParams, "Interaction feedback")
class FeedbackViewSet(ServiceViewSet):
    """Interaction feedback (交往反馈): a contact with a customer — who, when, through which
    channel, what was said. A clerk or researcher may record what someone else reported and
    name them in `reported_by` (within their own scope). Visible when your scope covers the
    reporter, whoever entered it, or the customer's owner."""

    module = Module.FEEDBACK
    serializer_class = FeedbackSerializer

    def get_queryset(self) -> QuerySet[Feedback]:
        return feedback_list(reader=self.request.user)

    def get_object(self) -> Feedback:
        return access_feedback(reader=self.request.user, pk=self.kwargs["pk"])

    def _render(self, feedback: Feedback, status: int = 200) -> Response:
        fresh = Feedback.objects.select_related(*FEEDBACK_DETAILS).get(pk=feedback.pk)
        return self.render(fresh, status=status)

    def list(self, request: Request) -> Response:
        params = self.query_params(FeedbackListParams)
        feedback = feedback_list(
            reader=request.user,
            search=params.validated_data["search"],
            filters=params.filters(),
        )
        return self.render_page(feedback, ("-date", "-id"))

    def retrieve(self, request: Request, pk: int) -> Response:
        return self.render(self.get_object())

    def create(self, request: Request) -> Response:
        fields = dict(self.parse(FeedbackSerializer, request.data).validated_data)
        feedback = feedback_create(actor=request.user, **fields)
        return self._render(feedback, status=status.HTTP_201_CREATED)

    def update(self, request: Request, pk: int, partial: bool = False) -> Response:
        feedback = self.get_object()
        serializer = self.get_serializer(feedback, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        feedback = feedback_update(
            actor=request.user, feedback=feedback, **serializer.validated_data
        )
        return self._render(feedback)

    def partial_update(self, request: Request, pk: int) -> Response:
        return self.update(request, pk, partial=True)

    def destroy(self, request: Request, pk: int) -> Response:
        feedback_delete(actor=request.user, feedback=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- service requests --------------------------------------------------------------------

REQUEST_DETAILS = (
    "customer",
    "contact",
    "type",
    "complaint_category",
    "contract",
    "product",
    "assignee",
)
BIG = BigIntegerField()
REQUEST_ACTION = {200: ServiceRequestSerializer, 400: STATE_ERROR, 403: REFUSED, 404: NOT_FOUND}
WRITE = {200: ServiceRequestSerializer, 400: FIELD_ERRORS, 403: REFUSED, 404: NOT_FOUND}


@_crud_schema(
    ServiceRequestSerializer,
    ServiceRequestListParams,
    "Service requests",
    update=extend_schema(request=ServiceRequestUpdateSerializer, responses=WRITE),
    partial_update=extend_schema(request=ServiceRequestUpdateSerializer, responses=WRITE),
    destroy=extend_schema(
        summary="Delete a new request (entered by mistake)",
        responses={204: None, 400: STATE_ERROR, 403: REFUSED, 404: NOT_FOUND},
    ),
)
class ServiceRequestViewSet(ServiceViewSet):
    """Service requests (服务请求): consultation, in-sale service, complaints, maintenance,
    repair.

    Status flow: new → assigned → in_progress → resolved → closed; a resolved or closed
    request can be reopened (back to in_progress, or new without an assignee). Assigning
    needs `service_requests.change`, and the `approve` right (service manager) to assign
    anyone but yourself; starting and resolving belong to the assignee or a service manager;
    resolving needs the resolution; closing records the customer's satisfaction (1–5).

    The due time (`due_at`) is counted from the opening in the hours configured for the
    priority; `sla_state` says on_time, at_risk or breached. Visible when your scope covers
    the assignee, the author or the customer's owner."""

    module = Module.SERVICE_REQUESTS
    serializer_class = ServiceRequestSerializer
    versioned_actions = frozenset(
        {
            *("update", "partial_update", "destroy", "assign", "start", "resolve", "close"),
            "reopen",
        }
    )
    action_permissions = {
        "assign": Action.CHANGE,
        "start": Action.CHANGE,
        "resolve": Action.CHANGE,
        "close": Action.CHANGE,
        "reopen": Action.CHANGE,
    }

    def get_queryset(self) -> QuerySet[ServiceRequest]:
        return request_list(reader=self.request.user)

    def get_object(self) -> ServiceRequest:
        return access_request(reader=self.request.user, pk=self.kwargs["pk"])

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context.setdefault("now", clock.now())
        return context

    def _render(self, request: ServiceRequest, status: int = 200) -> Response:
        fresh = ServiceRequest.objects.select_related(*REQUEST_DETAILS).get(pk=request.pk)
        return self.render(fresh, status=status, serializer_class=ServiceRequestSerializer)

    def list(self, request: Request) -> Response:
        params = self.query_params(ServiceRequestListParams)
        ordering = params.validated_data["ordering"]
        requests = request_list(
            reader=request.user,
            search=params.validated_data["search"],
            filters=params.filters(),
        ).select_related(*REQUEST_DETAILS)
        return self.render_page(requests, keyset(ordering))

    def retrieve(self, request: Request, pk: int) -> Response:
        return self.render(self.get_object())

    def create(self, request: Request) -> Response:
        fields = dict(self.parse(ServiceRequestSerializer, request.data).validated_data)
        assignee = fields.pop("assignee", None)
        created = request_create(actor=request.user, assignee=assignee, **fields)
        return self._render(created, status=status.HTTP_201_CREATED)

    def update(self, request: Request, pk: int, partial: bool = False) -> Response:
        instance = self.get_object()
        serializer = ServiceRequestUpdateSerializer(
            instance, data=request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        updated = request_update(
            actor=request.user,
            request=instance,
            expected_version=self.expected_version(),
            **serializer.validated_data,
        )
        return self._render(updated)

    def partial_update(self, request: Request, pk: int) -> Response:
        return self.update(request, pk, partial=True)

    def destroy(self, request: Request, pk: int) -> Response:
        request_delete(
            actor=request.user,
            request=self.get_object(),
            expected_version=self.expected_version(),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=AssignSerializer,
        responses={**REQUEST_ACTION, 400: FIELD_ERRORS},
        summary="Assign an open request (to yourself, or to anyone as a service manager)",
    )
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: int) -> Response:
        instance = self.get_object()
        assignee = self.parse(AssignSerializer, request.data).validated_data["assignee"]
        return self._render(
            request_assign(
                actor=request.user,
                request=instance,
                assignee=assignee,
                expected_version=self.expected_version(),
            )
        )

    @extend_schema(request=None, responses=REQUEST_ACTION, summary="Start an assigned request")
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: int) -> Response:
        """Only the assignee or a service manager."""
        instance = self.get_object()
        return self._render(
            request_start(
                actor=request.user,
                request=instance,
                expected_version=self.expected_version(),
            )
        )

    @extend_schema(
        request=ResolveSerializer,
        responses={**REQUEST_ACTION, 400: FIELD_ERRORS},
        summary="Resolve a request in progress (resolution required)",
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: int) -> Response:
        """Only the assignee or a service manager."""
        instance = self.get_object()
        resolution = self.parse(ResolveSerializer, request.data).validated_data["resolution"]
        return self._render(
            request_resolve(
                actor=request.user,
                request=instance,
                resolution=resolution,
                expected_version=self.expected_version(),
            )
        )

    @extend_schema(
        request=CloseSerializer,
        responses={**REQUEST_ACTION, 400: FIELD_ERRORS},
        summary="Close a resolved request with the customer's satisfaction (1–5)",
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: int) -> Response:
        """A closed complaint notifies the customer's owner."""
        instance = self.get_object()
        data = self.parse(CloseSerializer, request.data).validated_data
        closed = request_close(
            actor=request.user,
            request=instance,
            satisfaction=data["satisfaction"],
            comment=data["comment"],
            expected_version=self.expected_version(),
        )
        return self._render(closed)

    @extend_schema(
        request=ReopenSerializer,
        responses=REQUEST_ACTION,
        summary="Reopen a resolved or closed request",
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: int) -> Response:
        """Back to in_progress with its assignee (new without one). The score and the
        resolution and closing times are cleared; the original due time stands."""
        instance = self.get_object()
        reason = self.parse(ReopenSerializer, request.data).validated_data["reason"]
        return self._render(
            request_reopen(
                actor=request.user,
                request=instance,
                reason=reason,
                expected_version=self.expected_version(),
            )
        )

    @extend_schema(
        responses=ServiceRequestSerializer(many=True),
        summary="My queue: my open requests, the earliest due first",
    )
    @action(detail=False, methods=["get"])
    def queue(self, request: Request) -> Response:
        """The open requests assigned to you."""
        requests = my_queue(reader=request.user).select_related(*REQUEST_DETAILS)
        return self.render_page(requests, ("due_at", "id"))

    @extend_schema(
        parameters=[TeamQueueParams],
        responses={200: ServiceRequestSerializer(many=True), 403: REFUSED},
        summary="Team queue: open requests, unassigned first, then by assignee and due time",
    )
    @action(detail=False, methods=["get"], url_path="team-queue")
    def team_queue(self, request: Request) -> Response:
        """For service managers (`service_requests.approve`); 403 for anyone else."""
        if not can_dispatch(request.user):
            raise PermissionDenied(_("Only a service manager can read the team queue."))
        assignee = self.query_params(TeamQueueParams).validated_data.get("assignee")
        requests = (
            team_queue(reader=request.user, assignee=assignee)
            .select_related(*REQUEST_DETAILS)
            .annotate(assignee_key=Coalesce("assignee_id", Value(0), output_field=BIG))
        )
        return self.render_page(requests, ("assignee_key", "due_at", "id"))


# --- care --------------------------------------------------------------------------------

CARE_DETAILS = ("customer", "contact", "holiday", "contract", "assignee")
CARE_KEYS = {
    "due": ("due_date", "id"),
    "upcoming": ("due_date", "id"),
    "done": ("-finished_key", "-id"),
    "all": ("-due_date", "-id"),
}
CARE_WRITE = {200: CareActionSerializer, 400: FIELD_ERRORS, 403: REFUSED, 404: NOT_FOUND}


@_crud_schema(
    CareActionSerializer,
    CareListParams,
    "Care actions",
    update=extend_schema(request=CareActionUpdateSerializer, responses=CARE_WRITE),
    partial_update=extend_schema(request=CareActionUpdateSerializer, responses=CARE_WRITE),
    destroy=extend_schema(
        summary="Delete a care action entered by hand and still to do",
        responses={204: None, 400: STATE_ERROR, 403: REFUSED, 404: NOT_FOUND},
    ),
)
class CareActionViewSet(ServiceViewSet):
    """Customer care (客户关怀): follow-ups after a sale, birthday and holiday greetings
    (generated on schedule), and actions entered by hand — e.g. `win_back` for a lost
    customer. Each is assigned to the customer's owner unless someone else is named, and is
    done or skipped with a note. Only a pending action can be changed; only one entered by
    hand can be deleted (skip a generated one). Visible when your scope covers the assignee
    or the customer's owner."""

    module = Module.CARE
    serializer_class = CareActionSerializer
    action_permissions = {"done": Action.CHANGE, "skip": Action.CHANGE}
    versioned_actions = frozenset({"update", "partial_update", "destroy", "done", "skip"})

    def get_queryset(self) -> QuerySet[CareAction]:
        return care_list(reader=self.request.user, view="all")

    def get_object(self) -> CareAction:
        return access_care(reader=self.request.user, pk=self.kwargs["pk"])

    def _render(self, care: CareAction, status: int = 200) -> Response:
        fresh = CareAction.objects.select_related(*CARE_DETAILS).get(pk=care.pk)
        return self.render(fresh, status=status, serializer_class=CareActionSerializer)

    def list(self, request: Request) -> Response:
        params = self.query_params(CareListParams)
        data = params.validated_data
        actions = care_list(
            reader=request.user, view=data["view"], filters=params.filters(), search=data["search"]
        )
        if data["view"] == "done":
            actions = actions.annotate(finished_key=Coalesce("finished_at", "updated_at"))
        return self.render_page(actions, CARE_KEYS[data["view"]])

    def retrieve(self, request: Request, pk: int) -> Response:
        return self.render(self.get_object())

    def create(self, request: Request) -> Response:
        fields = dict(self.parse(CareActionSerializer, request.data).validated_data)
        return self._render(
            care_create(actor=request.user, **fields), status=status.HTTP_201_CREATED
        )

    def update(self, request: Request, pk: int, partial: bool = False) -> Response:
        care = self.get_object()
        serializer = CareActionUpdateSerializer(
            care, data=request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return self._render(
            care_update(
                actor=request.user,
                action=care,
                expected_version=self.expected_version(),
                **serializer.validated_data,
            )
        )

    def partial_update(self, request: Request, pk: int) -> Response:
        return self.update(request, pk, partial=True)

    def destroy(self, request: Request, pk: int) -> Response:
        care_delete(
            actor=request.user,
            action=self.get_object(),
            expected_version=self.expected_version(),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=NoteSerializer,
        responses={200: CareActionSerializer, 400: FIELD_ERRORS, 403: REFUSED, 404: NOT_FOUND},
        summary="Mark a pending care action done, with a note",
    )
    @action(detail=True, methods=["post"])
    def done(self, request: Request, pk: int) -> Response:
        care = self.get_object()
        note = self.parse(NoteSerializer, request.data).validated_data["note"]
        return self._render(
            care_done(
                actor=request.user,
                action=care,
                note=note,
                expected_version=self.expected_version(),
            )
        )

    @extend_schema(
        request=NoteSerializer,
        responses={200: CareActionSerializer, 400: FIELD_ERRORS, 403: REFUSED, 404: NOT_FOUND},
        summary="Skip a pending care action, saying why",
    )
    @action(detail=True, methods=["post"])
    def skip(self, request: Request, pk: int) -> Response:
        care = self.get_object()
        note = self.parse(NoteSerializer, request.data).validated_data["note"]
        return self._render(
            care_skip(
                actor=request.user,
                action=care,
                note=note,
                expected_version=self.expected_version(),
            )
        )


# --- churn warning and lost customers ----------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        parameters=[CustomerListSearchParams], summary="Customers at risk of churning"
    )
)
class ChurnWarningViewSet(ServiceViewSet):
    """The churn warning (流失预警): active customers within your scope with no order (contract,
    sales record) and no recorded contact (feedback, task done) for the configured number of
    days (`churn_days` of the service settings, 180 by default)."""

    module = Module.CARE
    serializer_class = ChurnWarningSerializer

    def get_queryset(self) -> QuerySet:
        return churn_list(reader=self.request.user)

    def list(self, request: Request) -> Response:
        search = self.query_params(CustomerListSearchParams).validated_data["search"]
        return self.render_page(churn_list(reader=request.user, search=search), ("-id",))


@extend_schema_view(
    list=extend_schema(parameters=[CustomerListSearchParams], summary="Lost customers")
)
class LostCustomerViewSet(ServiceViewSet):
    """Customers within your scope marked lost (流失), the most recently lost first, with how
    many win-back actions are still to do for each. Mark a customer lost with
    POST /api/v1/customers/{id}/mark-lost/; plan a win-back with POST /api/v1/care-actions/
    (kind win_back)."""

    module = Module.CARE
    serializer_class = LostCustomerSerializer

    def get_queryset(self) -> QuerySet:
        return lost_list(reader=self.request.user)

    def list(self, request: Request) -> Response:
        search = self.query_params(CustomerListSearchParams).validated_data["search"]
        customers = lost_list(reader=request.user, search=search).annotate(
            lost_key=Coalesce("lost_at", "updated_at")
        )
        return self.render_page(customers, ("-lost_key", "-id"))


# --- settings ----------------------------------------------------------------------------


class ServiceSettingsView(APIView):
    """The service and care parameters (参数设置): hours to resolve a request per priority,
    when a request is at risk, follow-up and greeting lead days, the churn threshold. Every
    signed-in user reads them; changing them needs `reference.change`. New hours apply to
    requests opened (or re-prioritised) from then on."""

    schema = ModuleAutoSchema()
    permission_classes = [ModulePermission]
    module = Module.REFERENCE
    open_read = True

    @extend_schema(responses=ServiceSettingsSerializer, summary="Service settings")
    def get(self, request: Request) -> Response:
        return Response(ServiceSettingsSerializer(service_settings()).data)

    @extend_schema(
        request=ServiceSettingsSerializer,
        responses={200: ServiceSettingsSerializer, 400: FIELD_ERRORS, 403: REFUSED},
        summary="Change service settings",
    )
    def patch(self, request: Request) -> Response:
        serializer = ServiceSettingsSerializer(
            service_settings(), data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        updated = service_settings_update(actor=request.user, **serializer.validated_data)
        return Response(ServiceSettingsSerializer(updated).data)
