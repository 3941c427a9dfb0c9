"""Customers (with review, recycle bin and the duplicate warning) and contacts."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from guanxi.accounts.enums import Action, Module
from guanxi.customers.models import Contact, Customer
from guanxi.customers.selectors import (
    access_contact_by_id,
    access_customer_by_id,
    access_deleted_customer_by_id,
    contact_list,
    customer_duplicates,
    customer_list,
)
from guanxi.customers.services import (
    contact_create,
    contact_delete,
    contact_update,
    customer_create,
    customer_delete,
    customer_mark_lost,
    customer_restore,
    customer_review,
    customer_update,
)
from guanxi.customers.timeline import customer_timeline, describe

from ..serializers.customers import (
    ContactListParams,
    ContactSerializer,
    ContactUpdateSerializer,
    CustomerBriefSerializer,
    CustomerCreateSerializer,
    CustomerListParams,
    CustomerReviewSerializer,
    CustomerSerializer,
    DuplicateWarningSerializer,
)
from ..serializers.service import (
    MarkLostSerializer,
    TimelineEntrySerializer,
    TimelinePageSerializer,
    TimelineParams,
)
from .base import ApiViewSet, keyset
from .service import render_offset_page

FIELD_ERRORS = OpenApiResponse(description="Field errors: {field: [messages]}.")
NOT_FOUND = OpenApiResponse(description="No such record within your scope.")


@extend_schema_view(
    list=extend_schema(parameters=[CustomerListParams], summary="Customers you may see"),
    retrieve=extend_schema(responses={200: CustomerSerializer, 404: NOT_FOUND}),
    create=extend_schema(
        request=CustomerCreateSerializer,
        responses={
            201: CustomerSerializer,
            400: OpenApiResponse(
                DuplicateWarningSerializer,
                description="Field errors, or possible duplicates: resend with "
                "confirm_duplicates=true to create anyway.",
            ),
        },
    ),
    update=extend_schema(responses={200: CustomerSerializer, 400: FIELD_ERRORS, 404: NOT_FOUND}),
    partial_update=extend_schema(
        responses={200: CustomerSerializer, 400: FIELD_ERRORS, 404: NOT_FOUND}
    ),
    destroy=extend_schema(
        summary="Move a customer to the recycle bin",
        responses={204: None, 404: NOT_FOUND},
    ),
)
class CustomerViewSet(ApiViewSet):
    """Customers within your scope. New customers entered without the review permission wait
    for review; deleted ones go to the recycle bin."""

    module = Module.CUSTOMERS
    action_permissions = {
        "review": Action.APPROVE,
        "restore": Action.DELETE,
        "mark_lost": Action.CHANGE,
    }
    versioned_actions = frozenset({"update", "partial_update", "destroy", "review", "mark_lost"})
    serializer_class = CustomerSerializer

    def get_serializer_class(self) -> Any:
        if getattr(self, "action", None) == "timeline":
            return TimelineEntrySerializer
        return super().get_serializer_class()

    def get_queryset(self) -> QuerySet[Customer]:
        return customer_list(reader=self.request.user)

    def get_object(self) -> Customer:
        return access_customer_by_id(reader=self.request.user, customer_id=self.kwargs["pk"])

    def get_scoped_object(self) -> Customer:
        if self.action == "restore":
            return access_deleted_customer_by_id(
                reader=self.request.user, customer_id=self.kwargs["pk"]
            )
        return self.get_object()

    def list(self, request: Request) -> Response:
        params = self.query_params(CustomerListParams)
        ordering = params.validated_data["ordering"]
        customers = customer_list(
            reader=request.user,
            search=params.validated_data["search"],
            filters=params.filters(),
            ordering=ordering,
        )
        return self.render_page(customers, keyset(ordering))

    def retrieve(self, request: Request, pk: int) -> Response:
        return self.render(self.get_object())

    def create(self, request: Request) -> Response:
        fields = dict(self.parse(CustomerCreateSerializer, request.data).validated_data)
        if not fields.pop("confirm_duplicates", False):
            visible, hidden = customer_duplicates(
                reader=request.user,
                name=fields.get("name", ""),
                credit_code=fields.get("credit_code", ""),
                phone=fields.get("phone", ""),
            )
            if visible or hidden:
                return Response(
                    {
                        "detail": _(
                            "Customers with the same name, credit code or phone exist. "
                            "Send confirm_duplicates=true to create this one anyway."
                        ),
                        "duplicates": CustomerBriefSerializer(visible, many=True).data,
                        "hidden_duplicates": hidden,
                    },
                    status=status.HTTP_400_BAD_REQUEST,
                )
        customer = customer_create(actor=request.user, **fields)
        return self.render(customer, status=status.HTTP_201_CREATED)

    def update(self, request: Request, pk: int, partial: bool = False) -> Response:
        customer = self.get_object()
        serializer = self.get_serializer(customer, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        customer = customer_update(
            actor=request.user,
            customer=customer,
            expected_version=self.expected_version(),
            **serializer.validated_data,
        )
        return self.render(customer)

    def partial_update(self, request: Request, pk: int) -> Response:
        return self.update(request, pk, partial=True)

    def destroy(self, request: Request, pk: int) -> Response:
        customer_delete(
            actor=request.user,
            customer=self.get_object(),
            expected_version=self.expected_version(),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=CustomerReviewSerializer,
        responses={200: CustomerSerializer, 400: FIELD_ERRORS, 404: NOT_FOUND},
        summary="Approve or reject a customer waiting for review",
    )
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: int) -> Response:
        customer = self.get_object()
        decision = self.parse(CustomerReviewSerializer, request.data).validated_data
        customer = customer_review(
            actor=request.user,
            customer=customer,
            expected_version=self.expected_version(),
            **decision,
        )
        return self.render(customer)

    @extend_schema(
        request=None,
        responses={200: CustomerSerializer, 403: OpenApiResponse(), 404: NOT_FOUND},
        summary="Restore a customer from the recycle bin",
    )
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, pk: int) -> Response:
        customer = access_deleted_customer_by_id(reader=request.user, customer_id=pk)
        return self.render(customer_restore(actor=request.user, customer=customer))

    @extend_schema(
        request=MarkLostSerializer,
        responses={
            200: CustomerSerializer,
            400: FIELD_ERRORS,
            403: OpenApiResponse(description="Missing the permission."),
            404: NOT_FOUND,
        },
        summary="Mark a customer lost (流失), with the reason",
    )
    @action(detail=True, methods=["post"], url_path="mark-lost")
    def mark_lost(self, request: Request, pk: int) -> Response:
        """The customer goes to the lost list (GET /api/v1/lost-customers/), where win-back
        actions are planned; a new contract that starts executing makes it active again."""
        customer = self.get_object()
        reason = self.parse(MarkLostSerializer, request.data).validated_data["reason"]
        customer_mark_lost(
            actor=request.user,
            customer=customer,
            reason=reason,
            expected_version=self.expected_version(),
        )
        return self.render(self.get_object(), serializer_class=CustomerSerializer)

    @extend_schema(
        parameters=[TimelineParams],
        responses={200: TimelinePageSerializer, 404: NOT_FOUND},
        summary="The customer's timeline, newest first",
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def timeline(self, request: Request, pk: int) -> Response:
        """Everything about the customer in one list: contacts, opportunities and their stage
        changes, tasks, contracts, payments, feedback, service requests, care actions and
        changes to the record. Each kind only as far as your permission and scope for its own
        module reach. Pages by number (?page=2); `kind` limits the kinds."""
        customer = self.get_object()
        data = {**request.query_params.dict(), "kind": request.query_params.getlist("kind")}
        params = self.parse(TimelineParams, data).validated_data
        entries = customer_timeline(reader=request.user, customer=customer, kinds=params["kind"])
        return render_offset_page(
            self, entries, params["page"], params["page_size"], transform=describe
        )


@extend_schema_view(
    list=extend_schema(parameters=[ContactListParams], summary="Contacts you may see"),
    retrieve=extend_schema(responses={200: ContactSerializer, 404: NOT_FOUND}),
    create=extend_schema(responses={201: ContactSerializer, 400: FIELD_ERRORS}),
    update=extend_schema(
        request=ContactUpdateSerializer,
        responses={200: ContactSerializer, 400: FIELD_ERRORS, 404: NOT_FOUND},
    ),
    partial_update=extend_schema(
        request=ContactUpdateSerializer,
        responses={200: ContactSerializer, 400: FIELD_ERRORS, 404: NOT_FOUND},
    ),
    destroy=extend_schema(responses={204: None, 404: NOT_FOUND}),
)
class ContactViewSet(ApiViewSet):
    """Contacts of the customers within your scope."""

    module = Module.CONTACTS
    versioned_actions = frozenset({"update", "partial_update", "destroy"})
    serializer_class = ContactSerializer

    def get_queryset(self) -> QuerySet[Contact]:
        return contact_list(reader=self.request.user)

    def get_object(self) -> Contact:
        return access_contact_by_id(reader=self.request.user, contact_id=self.kwargs["pk"])

    def list(self, request: Request) -> Response:
        params = self.query_params(ContactListParams).validated_data
        contacts = contact_list(
            reader=request.user,
            search=params["search"],
            customer_id=params.get("customer"),
            ordering=params["ordering"],
        )
        return self.render_page(contacts, keyset(params["ordering"]))

    def retrieve(self, request: Request, pk: int) -> Response:
        return self.render(self.get_object())

    def create(self, request: Request) -> Response:
        fields: dict[str, Any] = dict(self.parse(ContactSerializer, request.data).validated_data)
        contact = contact_create(actor=request.user, **fields)
        return self.render(contact, status=status.HTTP_201_CREATED)

    def update(self, request: Request, pk: int, partial: bool = False) -> Response:
        contact = self.get_object()
        serializer = ContactUpdateSerializer(
            contact, data=request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        contact = contact_update(
            actor=request.user,
            contact=contact,
            expected_version=self.expected_version(),
            **serializer.validated_data,
        )
        return self.render(contact)

    def partial_update(self, request: Request, pk: int) -> Response:
        return self.update(request, pk, partial=True)

    def destroy(self, request: Request, pk: int) -> Response:
        contact_delete(
            actor=request.user, contact=self.get_object(), expected_version=self.expected_version()
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
