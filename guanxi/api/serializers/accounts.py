"""Sign-in, users, departments and roles."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from guanxi.accounts.models import Department, Role, User

from .fields import ApiModelSerializer


class TokenObtainSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        max_length=128, trim_whitespace=False, write_only=True, style={"input_type": "password"}
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        read_only=True, help_text=_("Send it as 'Authorization: Bearer <token>'.")
    )


class UserSerializer(ApiModelSerializer):
    roles = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="code", help_text=_("Role codes.")
    )

    class Meta:
        model = User
        fields = [
            "id", "username", "display_name", "department", "email", "phone", "is_active",
            "roles",
        ]  # fmt: skip
        read_only_fields = fields


class UserListParams(serializers.Serializer):
    search = serializers.CharField(required=False, allow_blank=True, default="")


class DepartmentSerializer(ApiModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "name", "parent", "head", "sort_order", "is_active", "path"]
        read_only_fields = ["path"]


class RoleSerializer(ApiModelSerializer):
    permissions = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text=_("'module.action' codes.")
    )

    class Meta:
        model = Role
        fields = ["id", "code", "name", "name_en", "description", "scope", "permissions",
                  "is_active"]  # fmt: skip
        read_only_fields = fields
