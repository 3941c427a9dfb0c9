"""The app's URLs plus /bench-floor/: a bare Django page of 50 customers (one indexed query,
a template, the same middleware and session), the floor the benchmark compares pages to."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from config.urls import urlpatterns as app_urlpatterns
from guanxi.customers.models import Customer

TEMPLATE = engines["django"].from_string(
    "<!doctype html><title>floor</title><table>{% for c in rows %}"
    "<tr><td>{{ c.code }}</td><td>{{ c.name }}</td></tr>{% endfor %}</table>"
)


@login_required
def floor(request: HttpRequest) -> HttpResponse:
    rows = list(Customer.objects.order_by("-id").values("code", "name")[:50])
    return HttpResponse(TEMPLATE.render({"rows": rows}, request))


urlpatterns = [path("bench-floor/", floor), *app_urlpatterns]
