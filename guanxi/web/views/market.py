"""Market intelligence pages (市场信息): competitors with the opportunities they appear in, and
industry news. Shared knowledge: the module's permission is all it takes to read, but the
opportunities listed for a competitor are only those in the reader's opportunity scope."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.accounts.enums import Action, Module
from guanxi.accounts.rules import can
from guanxi.common.history import history_rows
from guanxi.common.selectors import object_history
from guanxi.market import selectors, services

from ..forms_market import CompetitorFilterForm, CompetitorForm, NewsFilterForm, NewsForm
from ..helpers import add_service_errors, require
from ..pagination import paginate

RELATED_NEWS = 5
COMPETITOR_TABS = ("opportunities", "history")


def get_competitor(request: HttpRequest, pk: Any) -> Any:
    require(request.user, Module.COMPETITORS, Action.VIEW)
    return selectors.access_competitor(reader=request.user, pk=pk)


def get_news(request: HttpRequest, pk: Any) -> Any:
    require(request.user, Module.NEWS, Action.VIEW)
    return selectors.access_news(reader=request.user, pk=pk)


# --- competitors -------------------------------------------------------------------------


@login_required
def competitor_list_view(request: HttpRequest) -> HttpResponse:
    require(request.user, Module.COMPETITORS, Action.VIEW)
    form = CompetitorFilterForm(request.GET or None)
    search, filters = "", {}
    if form.is_valid():
        search = form.cleaned_data.get("q") or ""
        # "" is a price level of its own (unknown) to the selector: pass only a choice.
        if form.cleaned_data.get("price_level"):
            filters = {"price_level": form.cleaned_data["price_level"]}
    qs = selectors.competitor_list(reader=request.user, search=search, filters=filters)
    return render(
        request,
        "web/market/competitor_list.html",
        {"form": form, "page_obj": paginate(request, qs)},
    )


def _save_competitor(request: HttpRequest, competitor: Any = None) -> HttpResponse:
    form = CompetitorForm(request.POST or None, instance=competitor)
    if request.method == "POST" and form.is_valid():
        try:
            if competitor is None:
                saved = services.competitor_create(actor=request.user, **form.cleaned_data)
                messages.success(request, _("Competitor “%s” created.") % saved)
            else:
                saved = services.competitor_update(
                    actor=request.user, competitor=competitor, **form.cleaned_data
                )
                messages.success(request, _("Competitor “%s” saved.") % saved)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("web:competitor_detail", pk=saved.pk)
    return render(
        request, "web/market/competitor_form.html", {"form": form, "competitor": competitor}
    )


@login_required
def competitor_create_view(request: HttpRequest) -> HttpResponse:
    require(request.user, Module.COMPETITORS, Action.CREATE)
    return _save_competitor(request)


@login_required
def competitor_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    competitor = get_competitor(request, pk)
    require(request.user, Module.COMPETITORS, Action.CHANGE)
    return _save_competitor(request, competitor)


def _competitor_detail(request: HttpRequest, competitor: Any, refused: str = "") -> HttpResponse:
    tab = request.GET.get("tab") or "opportunities"
    if tab not in COMPETITOR_TABS:
        tab = "opportunities"
    context: dict[str, Any] = {"competitor": competitor, "tab": tab, "refused": refused}
    if tab == "history":
        page = paginate(request, object_history(competitor), 20)
        context["history_rows"] = history_rows(page.object_list)
    else:
        qs = selectors.competitor_opportunities(reader=request.user, competitor=competitor)
        page = paginate(request, qs, 20)
    context["page_obj"] = page
    if can(request.user, Module.NEWS, Action.VIEW):
        news = selectors.news_list(reader=request.user, filters={"competitor": competitor.pk})
        context["news"] = list(news[: RELATED_NEWS + 1])
    return render(request, "web/market/competitor_detail.html", context)


@login_required
def competitor_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _competitor_detail(request, get_competitor(request, pk))


@login_required
@require_POST
def competitor_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    competitor = get_competitor(request, pk)
    require(request.user, Module.COMPETITORS, Action.DELETE)
    try:
        services.competitor_delete(actor=request.user, competitor=competitor)
    except ValidationError as exc:
        return _competitor_detail(request, competitor, refused=" ".join(exc.messages))
    messages.success(request, _("Competitor “%s” deleted.") % competitor)
    return redirect("web:competitor_list")


# --- industry news -----------------------------------------------------------------------


@login_required
def news_list_view(request: HttpRequest) -> HttpResponse:
    require(request.user, Module.NEWS, Action.VIEW)
    form = NewsFilterForm(request.GET or None)
    search, filters = "", {}
    if form.is_valid():
        search, filters = form.cleaned_data.get("q") or "", form.filters()
    qs = selectors.news_list(reader=request.user, search=search, filters=filters)
    page = paginate(request, qs.prefetch_related("competitors"))
    return render(request, "web/market/news_list.html", {"form": form, "page_obj": page})


def _save_news(request: HttpRequest, news: Any = None) -> HttpResponse:
    form = NewsForm(request.POST or None, instance=news)
    if request.method == "POST" and form.is_valid():
        try:
            if news is None:
                saved = services.news_create(actor=request.user, **form.service_fields())
                messages.success(request, _("News “%s” created.") % saved)
            else:
                saved = services.news_update(actor=request.user, news=news, **form.service_fields())
                messages.success(request, _("News “%s” saved.") % saved)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("web:news_detail", pk=saved.pk)
    return render(request, "web/market/news_form.html", {"form": form, "news": news})


@login_required
def news_create_view(request: HttpRequest) -> HttpResponse:
    require(request.user, Module.NEWS, Action.CREATE)
    return _save_news(request)


@login_required
def news_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    news = get_news(request, pk)
    require(request.user, Module.NEWS, Action.CHANGE)
    return _save_news(request, news)


@login_required
def news_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    news = get_news(request, pk)
    page = paginate(request, object_history(news), 20)
    return render(
        request,
        "web/market/news_detail.html",
        {"news": news, "page_obj": page, "history_rows": history_rows(page.object_list)},
    )


@login_required
@require_POST
def news_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    news = get_news(request, pk)
    require(request.user, Module.NEWS, Action.DELETE)
    services.news_delete(actor=request.user, news=news)
    messages.success(request, _("News “%s” deleted.") % news)
    return redirect("web:news_list")
