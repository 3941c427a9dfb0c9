"""Market intelligence: competitors (with the opportunities they appear in, as far as the
reader may see them) and industry news."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from guanxi.market.models import Competitor, IndustryNews, PriceLevel
from guanxi.reference.models import Industry
from guanxi.sales.enums import OpportunityStatus
from guanxi.sales.models import Opportunity

from .fields import ActiveEntryField, ApiModelSerializer, DateField, IdField, IdRelatedField
from .sales import EnumField

STAMPS = ["created_at", "updated_at", "created_by", "updated_by"]


class CompetitorSerializer(ApiModelSerializer):
    # Unique regardless of case: competitor_create/update check it (400 on "name").
    name = serializers.CharField(max_length=200, validators=[])
    price_level = EnumField(
        PriceLevel, required=False, help_text=_('Compared with ours; "" when unknown.')
    )
    opportunity_count = serializers.SerializerMethodField(
        help_text=_(
            "Opportunities it appears in that you may see (null without the opportunities "
            "permission)."
        )
    )

    class Meta:
        model = Competitor
        fields = [
            "id", "name", "website", "products", "strengths", "weaknesses", "price_level",
            "notes", "opportunity_count", *STAMPS,
        ]  # fmt: skip
        read_only_fields = STAMPS

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_opportunity_count(self, competitor: Competitor) -> int | None:
        return getattr(competitor, "opportunity_count", None)


class CompetitorOpportunitySerializer(ApiModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    stage_name = serializers.StringRelatedField(source="stage", read_only=True)
    owner_name = serializers.StringRelatedField(source="owner", read_only=True)
    status = EnumField(OpportunityStatus, read_only=True)

    class Meta:
        model = Opportunity
        fields = [
            "id", "name", "customer", "customer_name", "stage_name", "status", "amount",
            "owner", "owner_name",
        ]  # fmt: skip
        read_only_fields = fields


class CompetitorDetailSerializer(CompetitorSerializer):
    opportunities = CompetitorOpportunitySerializer(
        source="visible_opportunities",
        many=True,
        read_only=True,
        help_text=_(
            "The latest opportunities it appears in that you may see (at most 100; "
            "opportunity_count has them all)."
        ),
    )

    class Meta(CompetitorSerializer.Meta):
        fields = [*CompetitorSerializer.Meta.fields, "opportunities"]


class CompetitorListParams(serializers.Serializer):
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Part of the name, products, strengths, weaknesses or notes."),
    )
    price_level = serializers.ChoiceField(choices=PriceLevel.choices, required=False)
    ordering = serializers.ChoiceField(
        choices=["name", "-name", "-id", "id", "-updated_at"], required=False, default="name"
    )


class IndustryNewsSerializer(ApiModelSerializer):
    industry = ActiveEntryField(
        queryset=Industry.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Industry id."),
    )
    industry_name = serializers.StringRelatedField(source="industry", read_only=True)
    competitors = IdRelatedField(
        queryset=Competitor.objects.all(),
        many=True,
        required=False,
        help_text=_("Ids of the competitors the news is about; replaces them all when sent."),
    )
    tags = serializers.CharField(
        max_length=255,
        required=False,
        allow_blank=True,
        help_text=_("Comma-separated (, or ，)."),
    )
    tag_list = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = IndustryNews
        fields = [
            "id", "title", "published_on", "source", "url", "content", "tags", "tag_list",
            "industry", "industry_name", "competitors", *STAMPS,
        ]  # fmt: skip
        read_only_fields = STAMPS


class NewsListParams(serializers.Serializer):
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Part of the title, content, source or tags."),
    )
    industry = IdField(required=False, help_text=_("Industry id."))
    competitor = IdField(required=False, help_text=_("Competitor id."))
    tag = serializers.CharField(required=False, allow_blank=True, help_text=_("Part of a tag."))
    date_from = DateField(required=False)
    date_to = DateField(required=False)

    FILTERS = ("industry", "competitor", "tag", "date_from", "date_to")

    def filters(self) -> dict[str, Any]:
        return {k: v for k, v in self.validated_data.items() if k in self.FILTERS}
