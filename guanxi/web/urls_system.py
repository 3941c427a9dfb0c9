"""System management URLs (users, departments, roles, reference data, audit log)."""

from django.urls import path

from .views import reference, system

urlpatterns = [
    # users
    path("system/users/", system.user_list_view, name="user_list"),
    path("system/users/new/", system.user_create_view, name="user_create"),
    path("system/users/<int:pk>/", system.user_edit_view, name="user_edit"),
    path(
        "system/users/<int:pk>/password/",
        system.user_reset_password_view,
        name="user_reset_password",
    ),
    path(
        "system/users/<int:pk>/toggle-active/",
        system.user_toggle_active_view,
        name="user_toggle_active",
    ),
    # departments
    path("system/departments/", system.department_list_view, name="department_list"),
    path("system/departments/new/", system.department_create_view, name="department_create"),
    path("system/departments/<int:pk>/", system.department_edit_view, name="department_edit"),
    path(
        "system/departments/<int:pk>/delete/",
        system.department_delete_view,
        name="department_delete",
    ),
    # roles
    path("system/roles/", system.role_list_view, name="role_list"),
    path("system/roles/new/", system.role_create_view, name="role_create"),
    path("system/roles/<int:pk>/", system.role_edit_view, name="role_edit"),
    path("system/roles/<int:pk>/delete/", system.role_delete_view, name="role_delete"),
    # reference data
    path("system/reference/", reference.reference_index_view, name="reference_index"),
    path("system/reference/<slug:slug>/", reference.reference_list_view, name="reference_list"),
    path(
        "system/reference/<slug:slug>/new/",
        reference.reference_create_view,
        name="reference_create",
    ),
    path(
        "system/reference/<slug:slug>/<int:pk>/",
        reference.reference_edit_view,
        name="reference_edit",
    ),
    path(
        "system/reference/<slug:slug>/<int:pk>/move/",
        reference.reference_move_view,
        name="reference_move",
    ),
    path(
        "system/reference/<slug:slug>/<int:pk>/delete/",
        reference.reference_delete_view,
        name="reference_delete",
    ),
    # audit log
    path("system/audit/", system.audit_list_view, name="audit_list"),
]
