"""The quick search: its parameters and its grouped answer."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from guanxi.sales.quick_search import MAX_TERM


class QuickSearchParams(serializers.Serializer):
    q = serializers.CharField(
        max_length=MAX_TERM,
        help_text=_(
            "Name or name fragment (two Chinese characters are enough), phone, code, credit "
            "code, pinyin or pinyin initials."
        ),
    )


class _Named(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()


class CustomerHitSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    name = serializers.CharField()
    short_name = serializers.CharField()


class ContactHitSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    mobile = serializers.CharField()
    customer = _Named()


class OpportunityHitSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    status = serializers.CharField()
    stage = serializers.CharField(source="stage.name")
    customer = _Named()


class ContractHitSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    number = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    customer = _Named()


def _group(child: type[serializers.Serializer], name: str) -> type[serializers.Serializer]:
    return type(
        name,
        (serializers.Serializer,),
        {
            "more": serializers.BooleanField(
                help_text=_("More matched than shown; the list's own search has them all.")
            ),
            "results": child(many=True, source="rows"),
        },
    )


CustomerGroupSerializer = _group(CustomerHitSerializer, "CustomerGroupSerializer")
ContactGroupSerializer = _group(ContactHitSerializer, "ContactGroupSerializer")
OpportunityGroupSerializer = _group(OpportunityHitSerializer, "OpportunityGroupSerializer")
ContractGroupSerializer = _group(ContractHitSerializer, "ContractGroupSerializer")


class QuickSearchSerializer(serializers.Serializer):
    """Up to ten of each kind, newest first. A kind you may not view is absent."""

    q = serializers.CharField(source="term")
    customers = CustomerGroupSerializer(required=False)
    contacts = ContactGroupSerializer(required=False)
    opportunities = OpportunityGroupSerializer(required=False)
    contracts = ContractGroupSerializer(required=False)

    def to_representation(self, instance):  # type: ignore[no-untyped-def]
        data = {"q": instance.term}
        for group in instance.groups:
            data[group.kind] = self.fields[group.kind].to_representation(group)
        return data
