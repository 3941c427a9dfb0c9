"""Users (read-only), departments and roles (read-only)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from guanxi.accounts.enums import Module
from guanxi.accounts.models import Department, Role, User
from guanxi.accounts.selectors import access_user_by_id, department_list, role_list, user_list
from guanxi.accounts.services import department_create, department_delete, department_update

from ..serializers.accounts import (
    DepartmentSerializer,
    RoleSerializer,
    UserListParams,
    UserSerializer,
)
from .base import ApiViewSet


def _get_or_404(queryset: QuerySet, pk: int) -> object:
    instance = queryset.filter(pk=pk).first()
    if instance is None:
        raise Http404
    return instance


@extend_schema_view(list=extend_schema(parameters=[UserListParams]))
class UserViewSet(ApiViewSet):
    """Users within the reader's users scope (needs users.view)."""

    module = Module.USERS
    serializer_class = UserSerializer
    keyset_ordering = ("username",)

    def get_queryset(self) -> QuerySet[User]:
        return user_list(reader=self.request.user).prefetch_related("roles")

    def list(self, request: Request) -> Response:
        params = self.query_params(UserListParams).validated_data
        users = user_list(reader=request.user, search=params["search"]).prefetch_related("roles")
        return self.render_page(users, self.keyset_ordering)

    def retrieve(self, request: Request, pk: int) -> Response:
        return self.render(access_user_by_id(reader=request.user, user_id=pk))


class DepartmentViewSet(ApiViewSet):
    """The department tree: every signed-in user reads it; writes need departments.*."""

    module = Module.DEPARTMENTS
    open_read = True
    serializer_class = DepartmentSerializer
    keyset_ordering = ("path",)

    def get_queryset(self) -> QuerySet[Department]:
        return department_list()

    def get_object(self) -> Department:
        return _get_or_404(department_list(), self.kwargs["pk"])  # type: ignore[return-value]

    def list(self, request: Request) -> Response:
        return self.render_page(department_list(), self.keyset_ordering)

    def retrieve(self, request: Request, pk: int) -> Response:
        return self.render(self.get_object())

    def create(self, request: Request) -> Response:
        fields = self.parse(DepartmentSerializer, request.data).validated_data
        return self.render(department_create(actor=request.user, **fields), status=201)

    def update(self, request: Request, pk: int, partial: bool = False) -> Response:
        department = self.get_object()
        serializer = self.get_serializer(department, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        department = department_update(
            actor=request.user, department=department, **serializer.validated_data
        )
        return self.render(department)

    def partial_update(self, request: Request, pk: int) -> Response:
        return self.update(request, pk, partial=True)

    def destroy(self, request: Request, pk: int) -> Response:
        department_delete(actor=request.user, department=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class RoleViewSet(ApiViewSet):
    """Roles and their permission codes (needs roles.view)."""

    module = Module.ROLES
    serializer_class = RoleSerializer
    keyset_ordering = ("id",)

    def get_queryset(self) -> QuerySet[Role]:
        return role_list()

    def list(self, request: Request) -> Response:
        return self.render_page(role_list(), self.keyset_ordering)

    def retrieve(self, request: Request, pk: int) -> Response:
        return self.render(_get_or_404(role_list(), pk))
