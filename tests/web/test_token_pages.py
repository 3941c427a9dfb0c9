"""The API tokens page (user menu): make a token (shown once), see it listed by its prefix,
revoke it; an administrator sees and revokes another user's tokens; nobody else can."""

import datetime

from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from guanxi.accounts.models import ApiToken
from guanxi.accounts.tokens import api_token_create, token_digest

URL = "/account/tokens/"


def works(secret):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client.get("/api/v1/regions/").status_code == 200


def test_make_list_and_revoke_a_token(org, login):
    client = login(org.users.sales1)
    page = client.get(URL)
    assert page.status_code == 200
    assert "No tokens yet." in page.content.decode()
    assert reverse("web:api_tokens") in client.get("/").content.decode()  # in the user menu

    response = client.post(URL, {"name": "报表脚本", "expires_on": "2099-12-31"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=org.users.sales1)
    secret = response.context["secret"]
    assert token.digest == token_digest(secret)
    html = response.content.decode()
    assert secret in html and "报表脚本" in html and f"{token.prefix}…" in html
    # Valid through the day chosen: until the next local midnight.
    assert timezone.localtime(token.expires_at).replace(tzinfo=None) == datetime.datetime(
        2100, 1, 1
    )
    assert works(secret)
    # Shown once: the list itself never carries it.
    assert secret not in client.get(URL).content.decode()

    response = client.post(reverse("web:api_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    assert not works(secret)
    assert "Revoked" in client.get(URL).content.decode()


def test_bad_input_shows_messages_by_the_fields(org, login):
    client = login(org.users.sales1)
    yesterday = (timezone.localdate() - datetime.timedelta(days=2)).isoformat()
    response = client.post(URL, {"name": "", "expires_on": "soon"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"name", "expires_on"}
    response = client.post(URL, {"name": "old", "expires_on": yesterday})
    assert response.status_code == 400
    assert "expires_on" in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_administrator_revokes_another_users_token_others_cannot(org, login):
    token, secret = api_token_create(actor=org.users.sales2, name="north")
    for intruder in (org.users.sales1, org.users.manager):
        client = login(intruder)
        assert client.get(URL, {"user": org.users.sales2.pk}).status_code == 404
        assert client.post(reverse("web:api_token_revoke", args=[token.pk])).status_code == 404
        assert "north" not in client.get(URL).content.decode()
    assert works(secret)
    admin = login(org.users.admin)
    page = admin.get(URL, {"user": org.users.sales2.pk})
    assert page.status_code == 200 and "north" in page.content.decode()
    assert page.context["form"] is None  # tokens are made by their owner only
    user_page = admin.get(reverse("web:user_edit", args=[org.users.sales2.pk])).content.decode()
    assert f"{URL}?user={org.users.sales2.pk}" in user_page
    response = admin.post(reverse("web:api_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    assert not works(secret)


def test_page_in_chinese(org, login):
    api_token_create(actor=org.users.sales1, name="同步")
    html = login(org.users.sales1, language="zh-hans").get(URL).content.decode()
    assert "API 令牌" in html and "撤销" in html
