"""System management pages: users, departments, roles and the audit log.

Views parse input, ask `rules.can`, call one service and render. Service ValidationErrors go
next to the form fields (or into a message for one-button actions), never into a 500.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.accounts.enums import Action, Module
from guanxi.accounts.models import Department, Role
from guanxi.accounts.selectors import access_user_by_id, department_list, role_list, user_list
from guanxi.accounts.services import (
    department_create,
    department_delete,
    department_update,
    role_create,
    role_delete,
    role_update,
    user_create,
    user_deactivate,
    user_reset_password,
    user_update,
)
from guanxi.common.history import history_rows
from guanxi.common.selectors import audit_entries, object_history

from ..forms_system import (
    AuditFilterForm,
    DepartmentForm,
    PasswordResetForm,
    RoleForm,
    UserCreateForm,
    UserForm,
)
from ..helpers import add_service_errors, require, safe_next
from ..pagination import paginate

MAX_INDENT = 4  # app.css has tree-indent-1 … tree-indent-4


def indent_class(depth: int) -> str:
    depth = min(max(depth, 0), MAX_INDENT)
    return f"tree-indent-{depth}" if depth else ""


# --- users -------------------------------------------------------------------------------


@login_required
def user_list_view(request: HttpRequest) -> HttpResponse:
    require(request.user, Module.USERS, Action.CHANGE)
    search = request.GET.get("q", "").strip()
    users = user_list(reader=request.user, search=search).prefetch_related("roles")
    page_obj = paginate(request, users)
    return render(request, "web/system/user_list.html", {"page_obj": page_obj, "search": search})


@login_required
def user_create_view(request: HttpRequest) -> HttpResponse:
    require(request.user, Module.USERS, Action.CREATE)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_create(
                actor=request.user,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
                roles=form.cleaned_data["roles"],
                **form.user_fields(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc, default_field="password1")
        else:
            messages.success(request, _("User “%(name)s” created.") % {"name": user})
            return redirect("web:user_edit", pk=user.pk)
    return render(request, "web/system/user_form.html", {"form": form, "subject": None})


@login_required
def user_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    subject = access_user_by_id(reader=request.user, user_id=pk)
    require(request.user, Module.USERS, Action.CHANGE)
    if request.method == "POST":
        form = UserForm(request.POST)
        if form.is_valid():
            try:
                user_update(
                    actor=request.user,
                    user=subject,
                    username=form.cleaned_data["username"],
                    roles=form.cleaned_data["roles"],
                    **form.user_fields(),
                )
            except ValidationError as exc:
                subject.refresh_from_db()  # the failed update left unsaved values behind
                add_service_errors(form, exc)
            else:
                messages.success(request, _("User “%(name)s” saved.") % {"name": subject})
                return redirect("web:user_edit", pk=subject.pk)
    else:
        form = UserForm(initial=UserForm.initial_for(subject))
    history = object_history(subject)
    page_obj = paginate(request, history, per_page=10)
    return render(
        request,
        "web/system/user_form.html",
        {
            "form": form,
            "subject": subject,
            "page_obj": page_obj,
            "history": history_rows(page_obj.object_list),
        },
    )


@login_required
def user_reset_password_view(request: HttpRequest, pk: int) -> HttpResponse:
    subject = access_user_by_id(reader=request.user, user_id=pk)
    require(request.user, Module.USERS, Action.CHANGE)
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user_reset_password(
                actor=request.user, user=subject, password=form.cleaned_data["password1"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc, default_field="password1")
        else:
            messages.success(
                request, _("The password of “%(name)s” has been reset.") % {"name": subject}
            )
            return redirect("web:user_edit", pk=subject.pk)
    return render(request, "web/system/user_password.html", {"form": form, "subject": subject})


@require_POST
@login_required
def user_toggle_active_view(request: HttpRequest, pk: int) -> HttpResponse:
    subject = access_user_by_id(reader=request.user, user_id=pk)
    require(request.user, Module.USERS, Action.CHANGE)
    try:
        if subject.is_active:
            user_deactivate(actor=request.user, user=subject)
            messages.success(request, _("User “%(name)s” deactivated.") % {"name": subject})
        else:
            user_update(actor=request.user, user=subject, is_active=True)
            messages.success(request, _("User “%(name)s” reactivated.") % {"name": subject})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(safe_next(request, reverse("web:user_edit", args=[subject.pk])))


# --- departments -------------------------------------------------------------------------


@login_required
def department_list_view(request: HttpRequest) -> HttpResponse:
    require(request.user, Module.DEPARTMENTS, Action.VIEW)
    departments = department_list().annotate(member_count=Count("members"))
    page_obj = paginate(request, departments, per_page=100)
    rows = [{"department": d, "indent": indent_class(d.depth)} for d in page_obj.object_list]
    return render(request, "web/system/department_list.html", {"page_obj": page_obj, "rows": rows})


def _department_form_response(
    request: HttpRequest, form: DepartmentForm, department: Department | None
) -> HttpResponse:
    return render(
        request, "web/system/department_form.html", {"form": form, "department": department}
    )


@login_required
def department_create_view(request: HttpRequest) -> HttpResponse:
    require(request.user, Module.DEPARTMENTS, Action.CREATE)
    initial = {}
    if request.GET.get("parent", "").isdigit():
        initial["parent"] = int(request.GET["parent"])
    form = DepartmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            department = department_create(
                actor=request.user,
                code=data["code"],
                name=data["name"],
                parent=data["parent"],
                head=data["head"],
                sort_order=data["sort_order"],
                is_active=data["is_active"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Department “%(name)s” created.") % {"name": department})
            return redirect("web:department_list")
    return _department_form_response(request, form, None)


@login_required
def department_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Module.DEPARTMENTS, Action.CHANGE)
    department = get_object_or_404(Department.objects.select_related("parent", "head"), pk=pk)
    if request.method == "POST":
        form = DepartmentForm(request.POST, department=department)
        if form.is_valid():
            try:
                department_update(actor=request.user, department=department, **form.cleaned_data)
            except ValidationError as exc:
                department.refresh_from_db()
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Department “%(name)s” saved.") % {"name": department})
                return redirect("web:department_list")
    else:
        form = DepartmentForm(initial=DepartmentForm.initial_for(department), department=department)
    return _department_form_response(request, form, department)


@require_POST
@login_required
def department_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Module.DEPARTMENTS, Action.DELETE)
    department = get_object_or_404(Department, pk=pk)
    name = str(department)
    try:
        department_delete(actor=request.user, department=department)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("web:department_edit", pk=pk)
    messages.success(request, _("Department “%(name)s” deleted.") % {"name": name})
    return redirect("web:department_list")


# --- roles -------------------------------------------------------------------------------


@login_required
def role_list_view(request: HttpRequest) -> HttpResponse:
    require(request.user, Module.ROLES, Action.VIEW)
    roles: QuerySet[Role] = role_list().annotate(user_count=Count("users"))
    page_obj = paginate(request, roles, per_page=50)
    return render(request, "web/system/role_list.html", {"page_obj": page_obj})


def _role_form_response(request: HttpRequest, form: RoleForm, role: Role | None) -> HttpResponse:
    return render(
        request,
        "web/system/role_form.html",
        {"form": form, "role": role, "actions": Action.choices},
    )


@login_required
def role_create_view(request: HttpRequest) -> HttpResponse:
    require(request.user, Module.ROLES, Action.CREATE)
    form = RoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            role = role_create(
                actor=request.user, permissions=form.permission_codes(), **form.role_fields()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Role “%(name)s” created.") % {"name": role})
            return redirect("web:role_list")
    return _role_form_response(request, form, None)


@login_required
def role_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Module.ROLES, Action.CHANGE)
    role = get_object_or_404(Role, pk=pk)
    if request.method == "POST":
        form = RoleForm(request.POST)
        if form.is_valid():
            try:
                role_update(
                    actor=request.user,
                    role=role,
                    permissions=form.permission_codes(),
                    **form.role_fields(),
                )
            except ValidationError as exc:
                role.refresh_from_db()
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Role “%(name)s” saved.") % {"name": role})
                return redirect("web:role_list")
    else:
        form = RoleForm(initial=RoleForm.initial_for(role))
    return _role_form_response(request, form, role)


@require_POST
@login_required
def role_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Module.ROLES, Action.DELETE)
    role = get_object_or_404(Role, pk=pk)
    name = str(role)
    try:
        role_delete(actor=request.user, role=role)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("web:role_edit", pk=pk)
    messages.success(request, _("Role “%(name)s” deleted.") % {"name": name})
    return redirect("web:role_list")


# --- audit log ---------------------------------------------------------------------------


@login_required
def audit_list_view(request: HttpRequest) -> HttpResponse:
    require(request.user, Module.AUDIT, Action.VIEW)
    form = AuditFilterForm(request.GET or None)
    filters = {}
    if form.is_bound:
        form.is_valid()  # invalid filters are shown as errors and ignored
        names = ("action", "username", "date_from", "date_to")
        filters = {k: form.cleaned_data[k] for k in names if form.cleaned_data.get(k)}
    entries = audit_entries(**filters)
    page_obj = paginate(request, entries, per_page=50)
    return render(
        request,
        "web/system/audit_list.html",
        {"form": form, "page_obj": page_obj, "rows": history_rows(page_obj.object_list)},
    )
