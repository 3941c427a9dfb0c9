"""Contact pages. A contact always belongs to a customer the reader may see."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.accounts.enums import Action, Module
from guanxi.common.versioning import Conflict
from guanxi.customers import selectors, services

from ..conflicts import render_conflict
from ..forms_customers import ContactForm
from ..helpers import add_service_errors, require
from ..pagination import paginate


@login_required
def contact_list_view(request: HttpRequest) -> HttpResponse:
    require(request.user, Module.CONTACTS, Action.VIEW)
    search = request.GET.get("q", "")
    customer_id = request.GET.get("customer") or None
    customer = None
    if customer_id:
        customer = selectors.access_customer_by_id(reader=request.user, customer_id=customer_id)
    qs = selectors.contact_list(
        reader=request.user,
        search=search,
        customer_id=customer.pk if customer else None,
        ordering=request.GET.get("ordering") or "name",
    )
    return render(
        request,
        "web/contacts/list.html",
        {"page_obj": paginate(request, qs), "q": search, "customer": customer},
    )


def _save_contact(request: HttpRequest, customer, contact=None) -> HttpResponse:  # type: ignore[no-untyped-def]
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        try:
            if contact is None:
                saved = services.contact_create(
                    actor=request.user, customer=customer, **form.cleaned_data
                )
                messages.success(request, _("Contact “%s” added.") % saved)
            else:
                saved = services.contact_update(
                    actor=request.user,
                    contact=contact,
                    expected_version=form.expected_version,
                    **form.cleaned_data,
                )
                messages.success(request, _("Contact “%s” saved.") % saved)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except Conflict as exc:
            current = selectors.access_contact_by_id(reader=request.user, contact_id=contact.pk)
            return render_conflict(
                request,
                "web/contacts/form.html",
                {"customer": customer, "contact": current},
                exc=exc,
                current=current,
                make_form=lambda data: ContactForm(data, instance=current),
            )
        else:
            return redirect(reverse("web:customer_detail", args=[customer.pk]) + "?tab=contacts")
    return render(
        request, "web/contacts/form.html", {"form": form, "customer": customer, "contact": contact}
    )


@login_required
def contact_create_view(request: HttpRequest, customer_pk: int) -> HttpResponse:
    customer = selectors.access_customer_by_id(reader=request.user, customer_id=customer_pk)
    require(request.user, Module.CONTACTS, Action.CREATE)
    return _save_contact(request, customer)


@login_required
def contact_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    contact = selectors.access_contact_by_id(reader=request.user, contact_id=pk)
    require(request.user, Module.CONTACTS, Action.CHANGE)
    return _save_contact(request, contact.customer, contact)


@login_required
@require_POST
def contact_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    contact = selectors.access_contact_by_id(reader=request.user, contact_id=pk)
    require(request.user, Module.CONTACTS, Action.DELETE)
    services.contact_delete(actor=request.user, contact=contact)
    messages.success(request, _("Contact “%s” deleted.") % contact)
    return redirect(reverse("web:customer_detail", args=[contact.customer_id]) + "?tab=contacts")
