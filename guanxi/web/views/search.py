"""The top bar's quick search: a dropdown of grouped results for htmx, a page without JS."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from guanxi.sales.quick_search import quick_search


@login_required
def quick_search_view(request: HttpRequest) -> HttpResponse:
    result = quick_search(reader=request.user, term=request.GET.get("q", ""))
    if request.headers.get("HX-Request"):
        return render(request, "web/search/dropdown.html", {"result": result})
    return render(request, "web/search/page.html", {"result": result})
