"""Sign-in, users, departments and roles."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from guanxi.accounts.models import ApiToken, Department, Role, User
from guanxi.accounts.tokens import token_state

from .fields import ApiModelSerializer


class TokenObtainSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        max_length=128, trim_whitespace=False, write_only=True, style={"input_type": "password"}
    )


class TokenObtainWithNameSerializer(TokenObtainSerializer):
    name = serializers.CharField(
        max_length=100,
        required=False,
        default="",
        help_text=_("A name for the new token (where it is used); defaults to 'API sign-in'."),
    )


class ApiTokenSerializer(serializers.ModelSerializer):
    user = serializers.PrimaryKeyRelatedField(read_only=True, help_text=_("User id."))
    prefix = serializers.CharField(
        read_only=True, help_text=_("The first characters of the secret, to tell tokens apart.")
    )
    state = serializers.SerializerMethodField(help_text=_("active, expired or revoked"))

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "user",
            "state",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
        ]
        read_only_fields = fields

    def get_state(self, token: ApiToken) -> str:
        return token_state(token)


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, help_text=_("Where the token is used."))
    expires_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text=_("Optional expiry.")
    )


class TokenSerializer(ApiTokenSerializer):
    """A token just made: the only answer that carries its secret."""

    token = serializers.CharField(
        read_only=True,
        help_text=_(
            "The secret, shown this once: send it as 'Authorization: Bearer <token>'. "
            "Only its digest is stored."
        ),
    )

    class Meta(ApiTokenSerializer.Meta):
        fields = ["token", *ApiTokenSerializer.Meta.fields]
        read_only_fields = fields


class ApiTokenListParams(serializers.Serializer):
    user = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text=_("Administrators: another user's tokens."),
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
