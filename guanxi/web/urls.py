from django.urls import path

from .urls_care import urlpatterns as care_urlpatterns
from .urls_contracts import urlpatterns as contract_urlpatterns
from .urls_sales import urlpatterns as sales_urlpatterns
from .urls_service import urlpatterns as service_urlpatterns
from .urls_system import urlpatterns as system_urlpatterns
from .views import auth, contacts, customers, home, search, tokens

app_name = "web"

urlpatterns = [
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("password/", auth.password_change_view, name="password_change"),
    path("language/", auth.set_language_view, name="set_language"),
    path("account/tokens/", tokens.api_token_list_view, name="api_tokens"),
    path("account/tokens/<int:pk>/revoke/", tokens.api_token_revoke_view, name="api_token_revoke"),
    path("", home.home_view, name="home"),
    path("search/", search.quick_search_view, name="quick_search"),
    # customers
    path("customers/", customers.customer_list_view, name="customer_list"),
    path("customers/new/", customers.customer_create_view, name="customer_create"),
    path("customers/bin/", customers.customer_bin_view, name="customer_bin"),
    path(
        "customers/autocomplete/",
        customers.customer_autocomplete_view,
        name="customer_autocomplete",
    ),
    path("customers/<int:pk>/", customers.customer_detail_view, name="customer_detail"),
    path("customers/<int:pk>/edit/", customers.customer_edit_view, name="customer_edit"),
    path("customers/<int:pk>/delete/", customers.customer_delete_view, name="customer_delete"),
    path("customers/<int:pk>/review/", customers.customer_review_view, name="customer_review"),
    path("customers/<int:pk>/restore/", customers.customer_restore_view, name="customer_restore"),
    path("customers/<int:pk>/history/", customers.customer_history_view, name="customer_history"),
    # contacts
    path("contacts/", contacts.contact_list_view, name="contact_list"),
    path(
        "customers/<int:customer_pk>/contacts/new/",
        contacts.contact_create_view,
        name="contact_create",
    ),
    path("contacts/<int:pk>/edit/", contacts.contact_edit_view, name="contact_edit"),
    path("contacts/<int:pk>/delete/", contacts.contact_delete_view, name="contact_delete"),
    *sales_urlpatterns,
    *contract_urlpatterns,
    *service_urlpatterns,
    *care_urlpatterns,
    *system_urlpatterns,
]
