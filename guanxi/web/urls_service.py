"""Pages: interaction feedback, service requests (queues, transitions), service settings."""

from django.urls import path

from .views import feedback, service_requests, service_settings

urlpatterns: list = [
    # interaction feedback
    path("feedback/", feedback.feedback_list_view, name="feedback_list"),
    path("feedback/new/", feedback.feedback_create_view, name="feedback_create"),
    path("feedback/<int:pk>/", feedback.feedback_detail_view, name="feedback_detail"),
    path("feedback/<int:pk>/edit/", feedback.feedback_edit_view, name="feedback_edit"),
    path("feedback/<int:pk>/delete/", feedback.feedback_delete_view, name="feedback_delete"),
    path(
        "service/customer-options/",
        feedback.customer_options_view,
        name="service_customer_options",
    ),
    # service requests
    path("service-requests/", service_requests.request_list_view, name="service_request_list"),
    path(
        "service-requests/new/",
        service_requests.request_create_view,
        name="service_request_create",
    ),
    path("service-requests/mine/", service_requests.my_queue_view, name="service_queue_mine"),
    path("service-requests/team/", service_requests.team_queue_view, name="service_queue_team"),
    path(
        "service-requests/<int:pk>/",
        service_requests.request_detail_view,
        name="service_request_detail",
    ),
    path(
        "service-requests/<int:pk>/edit/",
        service_requests.request_edit_view,
        name="service_request_edit",
    ),
    path(
        "service-requests/<int:pk>/assign/",
        service_requests.request_assign_view,
        name="service_request_assign",
    ),
    path(
        "service-requests/<int:pk>/start/",
        service_requests.request_start_view,
        name="service_request_start",
    ),
    path(
        "service-requests/<int:pk>/resolve/",
        service_requests.request_resolve_view,
        name="service_request_resolve",
    ),
    path(
        "service-requests/<int:pk>/close/",
        service_requests.request_close_view,
        name="service_request_close",
    ),
    path(
        "service-requests/<int:pk>/reopen/",
        service_requests.request_reopen_view,
        name="service_request_reopen",
    ),
    path(
        "service-requests/<int:pk>/delete/",
        service_requests.request_delete_view,
        name="service_request_delete",
    ),
    # settings
    path(
        "system/service-settings/", service_settings.service_settings_view, name="service_settings"
    ),
]
