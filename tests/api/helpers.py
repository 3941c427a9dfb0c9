"""Helpers shared by the API tests."""

from guanxi.reference.models import Region

# Valid per GB 32100-2015 (check digit computed), and one with a wrong check digit.
VALID_CREDIT_CODE = "91110000600037341L"
OTHER_VALID_CREDIT_CODE = "91310000132149237G"
BAD_CREDIT_CODE = "91110000600037341X"


def make_region(code, name, parent=None, **fields):
    region = Region.objects.create(code=code, name=name, parent=parent, **fields)
    region.path = f"{parent.path if parent else '/'}{region.pk}/"
    region.save(update_fields=["path"])
    return region


def ids(response):
    return [row["id"] for row in response.json()["results"]]


def collect_pages(client, url, params=None):
    """Follow `next` links; returns every row in order and the number of pages."""
    rows, pages = [], 0
    response = client.get(url, params or {})
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        rows.extend(body["results"])
        pages += 1
        if not body["next"]:
            return rows, pages
        response = client.get(body["next"])
