"""Sign-in with throttling per (username, address), shared by the login page and the API.

The failures are the audit log's own rows, so every application process sees the same count
and every success and failure is on record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest

from guanxi.common import clock
from guanxi.common.history import log_event
from guanxi.common.models import AuditAction, AuditLog


@dataclass
class LoginResult:
    user: Any = None
    locked: bool = False
    locked_until: Any = None


def client_ip(request: HttpRequest) -> str | None:
    """The peer address. A trusted proxy's X-Forwarded-For is honoured only when configured."""
    if getattr(settings, "GUANXI_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def locked_until(*, username: str, ip: str | None) -> Any:
    """When the pair is locked, the time the lock ends; otherwise None."""
    now = clock.now()
    window = timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    lock = timedelta(seconds=settings.LOGIN_LOCK_SECONDS)
    limit = settings.LOGIN_FAILURE_LIMIT
    recent = AuditLog.objects.filter(
        username=username,
        ip=ip,
        action__in=[AuditAction.LOGIN_FAILURE, AuditAction.LOGIN_SUCCESS],
        at__gte=now - window - lock,
    ).order_by("-at", "-id")
    times: list[Any] = []
    for action, at in recent.values_list("action", "at")[:limit]:
        if action == AuditAction.LOGIN_SUCCESS:
            break  # a success clears the failures before it
        times.append(at)
    if len(times) < limit:
        return None
    latest, earliest = times[0], times[-1]
    if latest - earliest > window:
        return None
    until = latest + lock
    return until if until > now else None


def attempt_login(*, request: HttpRequest, username: str, password: str) -> LoginResult:
    username = (username or "").strip()[:150]
    ip = client_ip(request)
    until = locked_until(username=username, ip=ip)
    if until is not None:
        log_event(action=AuditAction.LOGIN_LOCKED, username=username, ip=ip)
        return LoginResult(locked=True, locked_until=until)
    user = authenticate(request, username=username, password=password)
    if user is None:
        log_event(action=AuditAction.LOGIN_FAILURE, username=username, ip=ip)
        return LoginResult()
    log_event(action=AuditAction.LOGIN_SUCCESS, user=user, username=username, ip=ip)
    return LoginResult(user=user)
