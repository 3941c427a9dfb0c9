"""Sign in and out, own password, language choice, health check."""

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.accounts.login import attempt_login
from guanxi.accounts.services import user_change_own_password, user_update
from guanxi.common.history import log_event
from guanxi.common.models import AuditAction

from ..forms import LoginForm, PasswordChangeForm
from ..helpers import safe_next


def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("web:home")
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        result = attempt_login(
            request=request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
        if result.user is not None:
            login(request, result.user)
            return redirect(safe_next(request, reverse("web:home")))
        if result.locked:
            status = 429
            until = timezone.localtime(result.locked_until)
            form.add_error(
                None,
                _(
                    "Too many failed attempts. Sign-in for this user from your address is locked "
                    "until %(time)s."
                )
                % {"time": until.strftime("%H:%M")},
            )
        else:
            form.add_error(None, _("Wrong username or password, or the account is deactivated."))
    return render(request, "web/login.html", {"form": form}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        log_event(action=AuditAction.LOGOUT, user=request.user)
    logout(request)
    return redirect("web:login")


@login_required
def password_change_view(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user_change_own_password(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field, error)
        else:
            from django.contrib.auth import update_session_auth_hash

            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password has been changed."))
            return redirect("web:home")
    return render(request, "web/password_change.html", {"form": form})


@require_POST
def set_language_view(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    if language not in {"zh-hans", "en"}:
        language = ""
    if request.user.is_authenticated and request.user.language != language:
        user_update(actor=request.user, user=request.user, language=language)
    response = redirect(safe_next(request, reverse("web:home")))
    if language:
        translation.activate(language)
        response.set_cookie("django_language", language, max_age=365 * 24 * 3600, samesite="Lax")
    return response


def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok"})
