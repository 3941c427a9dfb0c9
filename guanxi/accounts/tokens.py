"""Personal API tokens: made, checked and revoked here, stored only as a SHA-256 digest.

A secret has 256 bits of randomness, so a plain (unsalted) digest is enough: nobody can
guess a secret from its digest, and looking the digest up through its unique index reveals
nothing about any other token's secret (unlike comparing secrets character by character).
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from guanxi.common import clock
from guanxi.common.history import log_create, log_update, snapshot, stamp

from .enums import Action, Module
from .models import ApiToken, User
from .rules import can
from .selectors import user_list

PREFIX_LENGTH = 8
# Writing last_used_at on every request would turn each read into a write; once a minute
# tells a user all they need ("used today", "never used").
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _may_manage_others(actor: Any) -> bool:
    """Administrators (users.change) revoke and list the tokens of the users they manage."""
    return can(actor, Module.USERS, Action.CHANGE)


def api_token_list(*, reader: Any, user: Any = None) -> QuerySet[ApiToken]:
    """The reader's own tokens, newest first; an administrator may name another user (within
    their users scope) to see theirs. Revoked and expired tokens stay listed, marked."""
    subject_id = reader.pk
    if user is not None and getattr(user, "pk", user) != reader.pk:
        if not _may_manage_others(reader):
            raise Http404
        subject_id = access_token_owner(reader=reader, user_id=getattr(user, "pk", user)).pk
    return (
        ApiToken.objects.filter(user_id=subject_id)
        .select_related("user", "revoked_by")
        .order_by("-created_at", "-id")
    )


def access_token_owner(*, reader: Any, user_id: Any) -> User:
    try:
        return user_list(reader=reader).get(pk=int(user_id))
    except (User.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def access_api_token_by_id(*, reader: Any, token_id: Any) -> ApiToken:
    """One's own token, or — for an administrator — the token of a user they manage; any
    other id is not there (404)."""
    try:
        token = ApiToken.objects.select_related("user").get(pk=int(token_id))
    except (ApiToken.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    if token.user_id == reader.pk:
        return token
    if _may_manage_others(reader) and user_list(reader=reader).filter(pk=token.user_id).exists():
        return token
    raise Http404


@transaction.atomic
def api_token_create(
    *, actor: Any, name: str, expires_at: datetime.datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token for the actor. Returns the token and its secret — the only time the
    secret is seen; it is not stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, e.g. where it is used.")})
    if expires_at is not None and expires_at <= clock.now():
        raise ValidationError({"expires_at": _("The expiry must be in the future.")})
    while True:
        secret = secrets.token_urlsafe(32)
        digest = token_digest(secret)
        if not ApiToken.objects.filter(digest=digest).exists():
            break
    token = ApiToken(
        user=actor,
        name=name[:100],
        prefix=secret[:PREFIX_LENGTH],
        digest=digest,
        expires_at=expires_at,
    )
    stamp(token, actor, new=True)
    token.full_clean(exclude=["digest"])
    token.save()
    log_create(user=actor, instance=token, parent=actor)
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """The token stops working at once. Revoking a revoked token changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != actor.pk and not _may_manage_others(actor):
        raise PermissionDenied(_("You can only revoke your own tokens."))
    if token.revoked_at is not None:
        return token
    before = snapshot(token)
    token.revoked_at, token.revoked_by = clock.now(), actor
    stamp(token, actor, new=False)
    token.save(update_fields=["revoked_at", "revoked_by", "updated_at", "updated_by"])
    log_update(user=actor, instance=token, before=before, parent=token.user)
    return token


def api_token_authenticate(*, secret: str) -> ApiToken | None:
    """The live token with this secret (its user active), or None. Notes the use at most
    once a minute."""
    if not secret:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = clock.now()
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def token_state(token: ApiToken, now: datetime.datetime | None = None) -> str:
    """active, expired or revoked: what a list shows."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= (now or clock.now()):
        return "expired"
    return "active"
