"""What the sales services share: field assignment, scope checks on the records they touch."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from guanxi.accounts.scoping import owner_in_scope
from guanxi.customers.models import Customer
from guanxi.customers.selectors import customer_scope_q


def assign(instance: Any, fields: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(instance, name, value)


def check_customer(actor: Any, customer: Any, field: str = "customer") -> Customer:
    """The customer must exist, be live, and be inside the actor's customer scope."""
    if customer is None:
        raise ValidationError({field: _("Choose a customer.")})
    pk = customer.pk if isinstance(customer, Customer) else customer
    found = Customer.objects.filter(customer_scope_q(actor), pk=pk).first()
    if found is None:
        raise ValidationError({field: _("Choose a customer you can see.")})
    return found


def check_owner(actor: Any, module: str, owner: Any, field: str = "owner") -> None:
    """A user may hand a record only to someone inside their own scope for the module, or it
    would vanish from their sight the moment they save it."""
    if owner is None:
        raise ValidationError({field: _("Choose the person responsible.")})
    if not owner.is_active:
        raise ValidationError({field: _("This user is deactivated.")})
    if not owner_in_scope(actor, module, owner):
        raise ValidationError({field: _("You can only assign records within your own scope.")})
