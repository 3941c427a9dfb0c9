from django.http import HttpRequest, JsonResponse
from django.urls import path, re_path, register_converter
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularSwaggerView
from rest_framework.exceptions import NotFound
from rest_framework.routers import SimpleRouter

from .serializers.fields import ID_MAX
from .views.accounts import DepartmentViewSet, RoleViewSet, UserViewSet
from .views.auth import ApiTokenViewSet, TokenView
from .views.customers import ContactViewSet, CustomerViewSet
from .views.market import CompetitorViewSet, IndustryNewsViewSet
from .views.notifications import NotificationViewSet
from .views.reference import REFERENCE_VIEWSETS
from .views.sales import (
    ContractViewSet,
    OpportunityViewSet,
    PaymentViewSet,
    ProductViewSet,
    ReceivableViewSet,
    SalesRecordViewSet,
    TaskViewSet,
)
from .views.schema import SchemaView
from .views.search import QuickSearchView
from .views.service import (
    CareActionViewSet,
    ChurnWarningViewSet,
    FeedbackViewSet,
    LostCustomerViewSet,
    ServiceRequestViewSet,
    ServiceSettingsView,
)

app_name = "api"


class IdConverter:
    """A record id in a path: 1 … 2⁶³−1. A larger number names no record: the path matches
    nothing and the answer is the JSON 404 below, not a database error."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= ID_MAX:
            raise ValueError(value)
        return number

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")


@csrf_exempt  # whatever the method: nothing is done here
def not_found(request: HttpRequest, unmatched: str) -> JsonResponse:
    """Any other path under /api/v1/ (ending in a slash): a 404 in the API's JSON shape."""
    return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)


router = SimpleRouter(use_regex_path=False)
router.register("auth/tokens", ApiTokenViewSet, basename="api-token")
router.register("customers", CustomerViewSet, basename="customer")
router.register("contacts", ContactViewSet, basename="contact")
router.register("users", UserViewSet, basename="user")
router.register("departments", DepartmentViewSet, basename="department")
router.register("roles", RoleViewSet, basename="role")
router.register("opportunities", OpportunityViewSet, basename="opportunity")
router.register("tasks", TaskViewSet, basename="task")
router.register("products", ProductViewSet, basename="product")
router.register("contracts", ContractViewSet, basename="contract")
router.register("sales-records", SalesRecordViewSet, basename="sales-record")
router.register("payments", PaymentViewSet, basename="payment")
router.register("receivables", ReceivableViewSet, basename="receivable")
router.register("feedback", FeedbackViewSet, basename="feedback")
router.register("service-requests", ServiceRequestViewSet, basename="service-request")
router.register("care-actions", CareActionViewSet, basename="care-action")
router.register("churn-warnings", ChurnWarningViewSet, basename="churn-warning")
router.register("lost-customers", LostCustomerViewSet, basename="lost-customer")
router.register("competitors", CompetitorViewSet, basename="competitor")
router.register("news", IndustryNewsViewSet, basename="news")
router.register("notifications", NotificationViewSet, basename="notification")
for slug, viewset in REFERENCE_VIEWSETS.items():
    router.register(slug, viewset, basename=slug)


urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("search/", QuickSearchView.as_view(), name="quick_search"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("service-settings/", ServiceSettingsView.as_view(), name="service-settings"),
    *router.urls,
    re_path(r"^(?P<unmatched>.*/)$", not_found),
]
