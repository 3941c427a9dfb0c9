"""The user's API tokens (user menu → API tokens): list, make (the secret is shown on the
answer page only, never stored or put in a message), revoke. An administrator opens another
user's list with ?user=<id> (linked from the user's page) and may revoke their tokens."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.accounts.tokens import (
    access_api_token_by_id,
    access_token_owner,
    api_token_create,
    api_token_list,
    api_token_revoke,
    token_state,
)
from guanxi.common import clock

from ..forms import ApiTokenForm
from ..helpers import add_service_errors, safe_next
from ..pagination import paginate


def _end_of(day: datetime.date) -> datetime.datetime:
    """Valid through `day`: until the next local midnight."""
    return clock.start_of_day(day + datetime.timedelta(days=1))


@login_required
def api_token_list_view(request: HttpRequest) -> HttpResponse:
    subject = request.user
    if request.GET.get("user"):
        subject = access_token_owner(reader=request.user, user_id=request.GET["user"])
    own = subject.pk == request.user.pk
    form = ApiTokenForm(request.POST or None) if own else None
    secret, status = "", 200
    if own and request.method == "POST":
        if form.is_valid():
            day = form.cleaned_data.get("expires_on")
            try:
                _token, secret = api_token_create(
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    expires_at=_end_of(day) if day else None,
                )
            except ValidationError as exc:
                add_service_errors(form, exc, field_map={"expires_at": "expires_on"})
                status = 400
            else:
                form = ApiTokenForm()
        else:
            status = 400
    page_obj = paginate(request, api_token_list(reader=request.user, user=subject))
    now = clock.now()
    rows = [{"token": t, "state": token_state(t, now)} for t in page_obj.object_list]
    context = {
        "form": form,
        "secret": secret,
        "subject": subject,
        "own": own,
        "page_obj": page_obj,
        "rows": rows,
    }
    return render(request, "web/api_tokens.html", context, status=status)


@login_required
@require_POST
def api_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = access_api_token_by_id(reader=request.user, token_id=pk)
    api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    back = reverse("web:api_tokens")
    if token.user_id != request.user.pk:
        back += f"?user={token.user_id}"
    return redirect(safe_next(request, back))
