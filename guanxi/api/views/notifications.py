"""The caller's own in-app notifications (通知): list, read one, mark read or unread, mark all
read, count the unread. Someone else's notification is a 404."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from guanxi.notifications.models import Notification
from guanxi.notifications.selectors import access_notification, notification_list, unread_count
from guanxi.notifications.services import mark_read, mark_unread

from ..serializers.notifications import (
    MarkedSerializer,
    NotificationListParams,
    NotificationSerializer,
    NotificationUpdateSerializer,
    UnreadCountSerializer,
)
from .service import FIELD_ERRORS, ServiceViewSet

NOT_FOUND = OpenApiResponse(description="No such notification of yours.")


@extend_schema_view(
    list=extend_schema(parameters=[NotificationListParams], summary="Your notifications"),
    retrieve=extend_schema(responses={200: NotificationSerializer, 404: NOT_FOUND}),
    partial_update=extend_schema(
        request=NotificationUpdateSerializer,
        responses={200: NotificationSerializer, 400: FIELD_ERRORS, 404: NOT_FOUND},
        summary="Mark one notification read or unread",
    ),
)
class NotificationViewSet(ServiceViewSet):
    """Your own notifications, the latest first: tasks due today, approvals waiting, requests
    assigned to you or near or past their due time, complaints about your customers, care
    actions due, churn warnings. `message` is the sentence in the request's language, `link`
    the page of the record it is about."""

    serializer_class = NotificationSerializer

    def get_queryset(self) -> QuerySet[Notification]:
        return notification_list(reader=self.request.user)

    def get_object(self) -> Notification:
        return access_notification(reader=self.request.user, pk=self.kwargs["pk"])

    def list(self, request: Request) -> Response:
        params = self.query_params(NotificationListParams).validated_data
        read = params.get("read")
        notifications = notification_list(
            reader=request.user,
            unread=None if read is None else not read,
            kind=params.get("kind", ""),
        )
        return self.render_page(notifications, ("-created_at", "-id"))

    def retrieve(self, request: Request, pk: int) -> Response:
        return self.render(self.get_object())

    def partial_update(self, request: Request, pk: int) -> Response:
        notification = self.get_object()
        read = self.parse(NotificationUpdateSerializer, request.data).validated_data["read"]
        if read:
            mark_read(reader=request.user, ids=[notification.pk])
        else:
            mark_unread(reader=request.user, ids=[notification.pk])
        notification.refresh_from_db()
        return self.render(notification)

    @extend_schema(request=None, responses=MarkedSerializer, summary="Mark all yours read")
    @action(detail=False, methods=["post"], url_path="mark-all-read")
    def mark_all_read(self, request: Request) -> Response:
        marked = mark_read(reader=request.user)
        return Response({"marked": marked, "unread": unread_count(reader=request.user)})

    @extend_schema(responses=UnreadCountSerializer, summary="How many of yours are unread")
    @action(detail=False, methods=["get"], url_path="unread-count", pagination_class=None)
    def unread_count(self, request: Request) -> Response:
        return Response({"unread": unread_count(reader=request.user)})
