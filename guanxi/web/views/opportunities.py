"""Opportunity pages and the pipeline board: thin views over guanxi.sales selectors (scoped
reads) and services (writes)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from guanxi.accounts.enums import Action, Module
from guanxi.accounts.rules import can
from guanxi.common import clock
from guanxi.common.history import history_rows
from guanxi.common.lookups import id_or_none
from guanxi.common.versioning import Conflict
from guanxi.customers import selectors as customer_selectors
from guanxi.reference.models import OpportunityStage
from guanxi.sales import selectors
from guanxi.sales.enums import OpportunityStatus
from guanxi.sales.services import opportunities as services
from guanxi.sales.services.pipeline import weighted_amount

from ..conflicts import posted_version, render_conflict, stale_action_message
from ..forms_sales import (
    BoardFilterForm,
    LoseForm,
    MoveForm,
    OpportunityFilterForm,
    OpportunityForm,
    WinForm,
)
from ..helpers import add_service_errors, require, safe_next
from ..pagination import paginate

SORTABLE = [
    ("name", gettext_lazy("Project name")),
    ("stage", gettext_lazy("Stage")),
    ("amount", gettext_lazy("Expected amount")),
    ("expected_close_date", gettext_lazy("Expected signing")),
]
CENT = Decimal("0.01")


def check_customer_param(request: HttpRequest) -> None:
    """A customer given by id in the address must be one the reader may see (else 404)."""
    value = (request.GET.get("customer") or "").strip()
    if value.isdigit():
        customer_selectors.access_customer_by_id(reader=request.user, customer_id=value)


def contract_create_url(opportunity_id: int) -> str:
    try:
        base = reverse("web:contract_create")
    except NoReverseMatch:
        base = "/contracts/new/"
    return f"{base}?{urlencode({'opportunity': opportunity_id})}"


def get_opportunity(request: HttpRequest, pk: Any) -> Any:
    """403 without the view permission, 404 outside the reader's scope."""
    require(request.user, Module.OPPORTUNITIES, Action.VIEW)
    return selectors.access_opportunity_by_id(reader=request.user, opportunity_id=pk)


@login_required
def opportunity_list_view(request: HttpRequest) -> HttpResponse:
    require(request.user, Module.OPPORTUNITIES, Action.VIEW)
    check_customer_param(request)
    form = OpportunityFilterForm(request.GET or None, reader=request.user)
    search, filters = "", {}
    if form.is_valid():
        search, filters = form.cleaned_data.get("q") or "", form.filters()
    ordering = request.GET.get("ordering") or "-id"
    qs = selectors.opportunity_list(
        reader=request.user, search=search, filters=filters, ordering=ordering
    )
    return render(
        request,
        "web/opportunities/list.html",
        {
            "form": form,
            "page_obj": paginate(request, qs),
            "ordering": ordering,
            "sortable": SORTABLE,
        },
    )


def _save(request: HttpRequest, opportunity: Any = None) -> HttpResponse:
    initial: dict[str, Any] = {}
    if opportunity is None:
        value = (request.GET.get("customer") or "").strip()
        if value:
            initial["customer"] = customer_selectors.access_customer_by_id(
                reader=request.user, customer_id=value
            )
    form = OpportunityForm(
        request.POST or None, instance=opportunity, initial=initial, reader=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            if opportunity is None:
                saved = services.opportunity_create(actor=request.user, **form.service_fields())
                messages.success(request, _("Opportunity “%s” created.") % saved)
            else:
                saved = services.opportunity_update(
                    actor=request.user,
                    opportunity=opportunity,
                    expected_version=form.expected_version,
                    **form.service_fields(),
                )
                messages.success(request, _("Opportunity “%s” saved.") % saved)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except Conflict as exc:
            current = get_opportunity(request, opportunity.pk)
            return render_conflict(
                request,
                "web/opportunities/form.html",
                {"opportunity": current},
                exc=exc,
                current=current,
                make_form=lambda data: OpportunityForm(data, instance=current, reader=request.user),
            )
        else:
            return redirect("web:opportunity_detail", pk=saved.pk)
    return render(
        request, "web/opportunities/form.html", {"form": form, "opportunity": opportunity}
    )


@login_required
def opportunity_create_view(request: HttpRequest) -> HttpResponse:
    require(request.user, Module.OPPORTUNITIES, Action.CREATE)
    return _save(request)


@login_required
def opportunity_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = get_opportunity(request, pk)
    require(request.user, Module.OPPORTUNITIES, Action.CHANGE)
    return _save(request, opportunity)


def stage_rows(opportunity: Any) -> list[dict[str, Any]]:
    """The stage changes with how long the opportunity stayed after each: until the next
    change, or until now while it is still open."""
    changes = list(selectors.stage_history(opportunity=opportunity)[:200])
    now = clock.now()
    rows = []
    for i, change in enumerate(changes):
        following = changes[i + 1] if i + 1 < len(changes) else None
        if following is not None:
            end = following.changed_at
        elif change.to_status == OpportunityStatus.OPEN:
            end = now
        else:
            end = None
        rows.append(
            {
                "change": change,
                "spent": timesince(change.changed_at, end) if end else "",
                "current": following is None and end is not None,
            }
        )
    return rows


def _detail(request: HttpRequest, opportunity: Any, **forms: Any) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {
        "opportunity": opportunity,
        "stage_rows": stage_rows(opportunity),
        "stages": OpportunityStage.objects.filter(is_active=True).order_by("sort_order", "code"),
        "win_form": forms.get("win_form") or WinForm(),
        "lose_form": forms.get("lose_form") or LoseForm(),
    }
    if can(user, Module.TASKS, Action.VIEW):
        tasks = selectors.task_list(reader=user, filters={"opportunity": opportunity.pk})
        context["tasks"] = list(tasks[:10])
        context["today"] = clock.localdate()
    if opportunity.status == OpportunityStatus.WON and can(user, Module.CONTRACTS, Action.CREATE):
        context["contract_create_url"] = contract_create_url(opportunity.pk)
    page = paginate(request, selectors.opportunity_history(opportunity=opportunity), 20)
    context["page_obj"] = page
    context["history_rows"] = history_rows(page.object_list)
    return render(request, "web/opportunities/detail.html", context)


@login_required
def opportunity_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = get_opportunity(request, pk)
    return _detail(request, opportunity)


def _action(request: HttpRequest, pk: int) -> Any:
    opportunity = get_opportunity(request, pk)
    require(request.user, Module.OPPORTUNITIES, Action.CHANGE)
    return opportunity


@login_required
@require_POST
def opportunity_win_view(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = _action(request, pk)
    form = WinForm(request.POST)
    if form.is_valid():
        try:
            services.opportunity_win(
                actor=request.user,
                opportunity=opportunity,
                note=form.cleaned_data["note"],
                expected_version=posted_version(request),
            )
        except Conflict as exc:
            messages.error(request, stale_action_message(exc, opportunity))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Opportunity won."))
    return redirect("web:opportunity_detail", pk=opportunity.pk)


@login_required
@require_POST
def opportunity_lose_view(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = _action(request, pk)
    form = LoseForm(request.POST)
    if form.is_valid():
        try:
            services.opportunity_lose(
                actor=request.user,
                opportunity=opportunity,
                reason=form.cleaned_data["lost_reason"],
                note=form.cleaned_data["note"],
                expected_version=posted_version(request),
            )
        except Conflict as exc:
            messages.error(request, stale_action_message(exc, opportunity))
            return redirect("web:opportunity_detail", pk=opportunity.pk)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                messages.error(request, " ".join(exc.messages))
                return redirect("web:opportunity_detail", pk=opportunity.pk)
            add_service_errors(form, exc, default_field="lost_reason")
        else:
            messages.success(request, _("Opportunity marked as lost."))
            return redirect("web:opportunity_detail", pk=opportunity.pk)
    return _detail(request, opportunity, lose_form=form)


@login_required
@require_POST
def opportunity_reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = _action(request, pk)
    try:
        services.opportunity_reopen(
            actor=request.user, opportunity=opportunity, expected_version=posted_version(request)
        )
    except Conflict as exc:
        messages.error(request, stale_action_message(exc, opportunity))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Opportunity reopened."))
    return redirect("web:opportunity_detail", pk=opportunity.pk)


@login_required
@require_POST
def opportunity_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = get_opportunity(request, pk)
    require(request.user, Module.OPPORTUNITIES, Action.DELETE)
    try:
        services.opportunity_delete(
            actor=request.user, opportunity=opportunity, expected_version=posted_version(request)
        )
    except Conflict as exc:
        messages.error(request, stale_action_message(exc, opportunity))
        return redirect("web:opportunity_detail", pk=opportunity.pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("web:opportunity_detail", pk=opportunity.pk)
    messages.success(request, _("Opportunity “%s” deleted.") % opportunity)
    return redirect("web:opportunity_list")


# --- the pipeline board ------------------------------------------------------------------


def wants_json(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" or "application/json" in (
        request.headers.get("Accept") or ""
    )


def _board_filters(request: HttpRequest) -> tuple[BoardFilterForm, dict[str, Any]]:
    check_customer_param(request)
    form = BoardFilterForm(request.GET or None, reader=request.user)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    return form, filters


def _card_urls() -> dict[str, tuple[str, str]]:
    """The card links as (before, after) the id: reversed once per page, not twice per card."""
    urls = {}
    for key, name in (("detail", "web:opportunity_detail"), ("move", "web:opportunity_move")):
        head, _sep, tail = reverse(name, args=[0]).partition("/0/")
        urls[key] = (head, tail)
    return urls


def _filter_query(filters: dict[str, Any]) -> str:
    """The board's filters as query parameters, for the "more" requests."""
    return urlencode({k: getattr(v, "pk", v) for k, v in sorted(filters.items())})


@login_required
def opportunity_board_view(request: HttpRequest) -> HttpResponse:
    """Columns with totals, the newest cards of each and a "more" link that loads the next
    ones (htmx). One stage form for the whole board: for the card named by ?move=<id>."""
    require(request.user, Module.OPPORTUNITIES, Action.VIEW)
    form, filters = _board_filters(request)
    columns = selectors.opportunity_board(reader=request.user, filters=filters)
    can_move = can(request.user, Module.OPPORTUNITIES, Action.CHANGE)
    moving = None
    if can_move and (request.GET.get("move") or "").strip():
        moving = selectors.access_opportunity_by_id(
            reader=request.user, opportunity_id=request.GET["move"]
        )
        if not moving.is_open:
            moving = None
    back = request.GET.copy()
    back.pop("move", None)
    return render(
        request,
        "web/opportunities/board.html",
        {
            "form": form,
            "columns": columns,
            "can_move": can_move,
            "moving": moving,
            "back_url": f"{request.path}?{back.urlencode()}" if back else request.path,
            "filter_query": _filter_query(filters),
            "card_urls": _card_urls(),
            "from_summary": not columns or columns[0]["from_summary"],
            "aggregate_cap": selectors.BOARD_AGGREGATE_CAP,
        },
    )


@login_required
def opportunity_board_cards_view(request: HttpRequest) -> HttpResponse:
    """The next cards of one column after a cursor (the board's "more", via htmx)."""
    require(request.user, Module.OPPORTUNITIES, Action.VIEW)
    _form, filters = _board_filters(request)
    stage = OpportunityStage.objects.filter(
        is_active=True, pk=id_or_none(request.GET.get("stage"))
    ).first()
    try:
        after = selectors.parse_board_cursor(request.GET.get("after") or "")
    except ValueError:
        after = None
    if stage is None or after is None:
        return HttpResponse(_("Choose a stage and a position on the board."), status=400)
    cards, more = selectors.opportunity_board_cards(
        reader=request.user, stage=stage, filters=filters, after=after
    )
    return render(
        request,
        "web/opportunities/board_cards.html",
        {
            "col": {
                "stage": stage,
                "cards": cards,
                "more": more,
                "cursor": selectors.board_cursor(cards[-1]) if more else "",
            },
            "can_move": can(request.user, Module.OPPORTUNITIES, Action.CHANGE),
            "filter_query": _filter_query(filters),
            "card_urls": _card_urls(),
            "back_url": reverse("web:opportunity_board"),
        },
    )


@login_required
@require_POST
def opportunity_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Move an open opportunity to another stage: the board's drop (answered with JSON) and
    the board's plain form (redirected back)."""
    as_json = wants_json(request)
    back = safe_next(request, reverse("web:opportunity_board"))
    try:
        opportunity = get_opportunity(request, pk)
        require(request.user, Module.OPPORTUNITIES, Action.CHANGE)
    except Http404:
        if as_json:
            return JsonResponse({"ok": False, "error": _("Not found.")}, status=404)
        raise
    except PermissionDenied:
        if as_json:
            return JsonResponse(
                {"ok": False, "error": _("You do not have permission to do this.")}, status=403
            )
        raise
    form = MoveForm(request.POST)
    error, status = "", 400
    if not form.is_valid():
        error = _("Choose a stage that is in use.")
    else:
        try:
            opportunity = services.opportunity_move(
                actor=request.user,
                opportunity=opportunity,
                stage=form.cleaned_data["stage"],
                expected_version=posted_version(request),
            )
        except Conflict as exc:
            error, status = stale_action_message(exc, opportunity), 409
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if as_json:
        if error:
            return JsonResponse({"ok": False, "error": error}, status=status)
        return JsonResponse(
            {
                "ok": True,
                "stage": opportunity.stage_id,
                "stage_name": str(opportunity.stage),
                "probability": opportunity.probability,
                "version": opportunity.version,
                "weighted": str(weighted_amount(opportunity.amount, opportunity.probability)),
            }
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request,
            _("“%(name)s” moved to %(stage)s.") % {"name": opportunity, "stage": opportunity.stage},
        )
    return redirect(back)
