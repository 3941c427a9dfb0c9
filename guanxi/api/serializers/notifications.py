"""The caller's own notifications: the sentence in the request's language and the page of the
record it is about."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from guanxi.notifications.models import Notification, NotificationKind
from guanxi.notifications.selectors import message, target_url

from .fields import ApiModelSerializer
from .sales import EnumField


class NotificationSerializer(ApiModelSerializer):
    kind = EnumField(NotificationKind, read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    message = serializers.SerializerMethodField(help_text=_("In the request's language."))
    link = serializers.SerializerMethodField(
        help_text=_('The page of the record it is about ("" when there is none).')
    )
    read = serializers.BooleanField(source="is_read", read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id", "kind", "kind_label", "subject", "message", "link", "created_at", "read",
            "read_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_message(self, notification: Notification) -> str:
        return message(notification)

    @extend_schema_field(serializers.CharField())
    def get_link(self, notification: Notification) -> str:
        return target_url(notification)


class NotificationUpdateSerializer(serializers.Serializer):
    read = serializers.BooleanField(help_text=_("true: mark read; false: mark unread."))


class NotificationListParams(serializers.Serializer):
    read = serializers.BooleanField(
        required=False, help_text=_("Only read (true) or only unread (false) ones.")
    )
    kind = serializers.ChoiceField(choices=NotificationKind.choices, required=False)


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text=_("How many were marked read."))
    unread = serializers.IntegerField(help_text=_("How many unread remain."))


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()
