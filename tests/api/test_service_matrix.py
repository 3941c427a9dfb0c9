"""Role × action × scope over the service, care and market endpoints, as the grants of
accounts/migrations/0004_service_permissions.py and the any-owner scope rule imply.

"in" is a record about sales1's customer, entered by sales1 (inside the scope of sales1, of
their manager and of every all-scope role); "out" is sales2's, in the North department.
Competitors and news belong to nobody: "in" and "out" are two records that answer alike.
A record outside the scope answers 404 even to a reader lacking the action (it looks
missing), or, when named in a new record (its customer), a 400 on that field; lacking the
permission answers 403 for a record in scope (and for a list).
Every refused call is checked to have written nothing.
"""

import datetime

import pytest
from django.utils import timezone

from guanxi.market.models import Competitor, IndustryNews
from guanxi.service.enums import CareKind, RequestStatus
from guanxi.service.models import CareAction, Feedback, ServiceRequest
from guanxi.service.services import care as cs
from guanxi.service.services.feedback import feedback_create
from tests.factories import CustomerFactory

from .test_service_api import make_request, request_type, service_state

ROLES = ["admin", "manager", "sales1", "sales2", "clerk", "researcher", "service", "svcmgr", "exec"]
OPERATIONS = ["list", "retrieve", "create", "update", "delete"]
MODULES = ["feedback", "service-requests", "care-actions", "competitors", "news"]


def row(list_, retrieve, create, update, delete):
    return dict(zip(OPERATIONS, (list_, retrieve, create, update, delete), strict=True))


def mirror(expected):
    """sales2 sees "out" as sales1 sees "in"."""
    return {op: (answer[1], answer[0]) for op, answer in expected.items()}


FULL_ALL = row((True, True), (200, 200), (201, 201), (200, 200), (204, 204))
FULL_SCOPED = row((True, False), (200, 404), (201, 400), (200, 404), (204, 404))
CHANGE_SCOPED = row((True, False), (200, 404), (201, 400), (200, 404), (403, 404))
VIEW_CREATE_SCOPED = row((True, False), (200, 404), (201, 400), (403, 404), (403, 404))
CHANGE_ALL = row((True, True), (200, 200), (201, 201), (200, 200), (403, 403))
VIEW_CREATE_ALL = row((True, True), (200, 200), (201, 201), (403, 403), (403, 403))
READ_ALL = row((True, True), (200, 200), (403, 403), (403, 403), (403, 403))
NONE = row((403, 403), (403, 403), (403, 403), (403, 403), (403, 403))

EXPECTED = {
    "feedback": {
        "admin": FULL_ALL,
        "manager": FULL_SCOPED,
        "sales1": FULL_SCOPED,
        "sales2": mirror(FULL_SCOPED),
        "clerk": FULL_ALL,
        "researcher": FULL_ALL,
        "service": CHANGE_ALL,
        "svcmgr": FULL_ALL,
        "exec": READ_ALL,
    },
    "service-requests": {
        "admin": FULL_ALL,
        "manager": VIEW_CREATE_SCOPED,
        "sales1": VIEW_CREATE_SCOPED,
        "sales2": mirror(VIEW_CREATE_SCOPED),
        "clerk": VIEW_CREATE_ALL,
        "researcher": READ_ALL,
        "service": CHANGE_ALL,
        "svcmgr": FULL_ALL,
        "exec": READ_ALL,
    },
    "care-actions": {
        "admin": FULL_ALL,
        "manager": FULL_SCOPED,
        "sales1": CHANGE_SCOPED,
        "sales2": mirror(CHANGE_SCOPED),
        "clerk": READ_ALL,
        "researcher": NONE,
        "service": CHANGE_ALL,
        "svcmgr": FULL_ALL,
        "exec": READ_ALL,
    },
    "competitors": {
        "admin": FULL_ALL,
        "manager": CHANGE_ALL,
        "sales1": CHANGE_ALL,
        "sales2": CHANGE_ALL,
        "clerk": CHANGE_ALL,
        "researcher": FULL_ALL,
        "service": READ_ALL,
        "svcmgr": READ_ALL,
        "exec": READ_ALL,
    },
    "news": {
        "admin": FULL_ALL,
        "manager": CHANGE_ALL,
        "sales1": READ_ALL,
        "sales2": READ_ALL,
        "clerk": FULL_ALL,
        "researcher": FULL_ALL,
        "service": READ_ALL,
        "svcmgr": READ_ALL,
        "exec": READ_ALL,
    },
}

MODELS = {
    "feedback": Feedback,
    "service-requests": ServiceRequest,
    "care-actions": CareAction,
    "competitors": Competitor,
    "news": IndustryNews,
}
UPDATES = {
    "feedback": ("content", "改过的内容"),
    "service-requests": ("subject", "改过的主题"),
    "care-actions": ("title", "改过的标题"),
    "competitors": ("notes", "改过的备注"),
    "news": ("title", "改过的标题"),
}


def build(org, module):
    """The in/out records of `module` and the customers a create payload may name."""
    users = org.users
    customers = {
        "in": CustomerFactory(name="华东客户", owner=users.sales1, status="active"),
        "out": CustomerFactory(name="华北客户", owner=users.sales2, status="active"),
    }
    owners = {"in": users.sales1, "out": users.sales2}
    if module == "feedback":
        records = {
            t: feedback_create(actor=owners[t], customer=c, content="回访")
            for t, c in customers.items()
        }
    elif module == "service-requests":
        records = {t: make_request(org, c, by=owners[t]) for t, c in customers.items()}
    elif module == "care-actions":
        records = {
            t: cs.care_create(
                actor=owners[t], customer=c, kind=CareKind.FOLLOW_UP, due_date="2030-01-01"
            )
            for t, c in customers.items()
        }
    elif module == "competitors":
        records = {t: Competitor.objects.create(name=f"对手-{t}") for t in customers}
    else:
        records = {
            t: IndustryNews.objects.create(title=f"新闻-{t}", published_on="2026-01-01")
            for t in customers
        }
    return records, customers


def payload(module, target, customers):
    other = customers[target].pk
    return {
        "feedback": {"customer": other, "content": "矩阵反馈"},
        "service-requests": {"customer": other, "type": request_type().pk, "subject": "矩阵"},
        "care-actions": {"customer": other, "kind": "follow_up", "due_date": "2030-02-01"},
        "competitors": {"name": f"矩阵对手-{target}"},
        "news": {"title": "矩阵新闻", "published_on": "2026-02-01"},
    }[module]


@pytest.mark.parametrize("target", ["in", "out"])
@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("module", MODULES)
def test_matrix(org, api, module, role, operation, target):
    expected = EXPECTED[module][role][operation][0 if target == "in" else 1]
    records, customers = build(org, module)
    record = records[target]
    user = getattr(org.users, role)
    client = api(user)
    base = f"/api/v1/{module}/"
    model = MODELS[module]
    before = service_state()
    count_before = model.objects.count()

    if operation == "list":
        response = client.get(base, {"page_size": 200})
    elif operation == "retrieve":
        response = client.get(f"{base}{record.pk}/")
    elif operation == "create":
        response = client.post(base, payload(module, target, customers))
    elif operation == "update":
        field, value = UPDATES[module]
        response = client.patch(f"{base}{record.pk}/", {field: value})
    else:
        response = client.delete(f"{base}{record.pk}/")

    if operation == "list":
        if expected == 403:
            assert response.status_code == 403
        else:
            assert response.status_code == 200
            listed = [r["id"] for r in response.json()["results"]]
            assert (record.pk in listed) is expected
        assert service_state() == before
        return
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert service_state() == before, "a refused request changed data"
        if expected == 400:
            assert "customer" in response.json()
        return
    if operation == "retrieve":
        assert response.json()["id"] == record.pk
        assert service_state() == before
    elif operation == "create":
        assert model.objects.count() == count_before + 1
        assert model.objects.get(pk=response.json()["id"]).created_by == user
    elif operation == "update":
        field, value = UPDATES[module]
        record.refresh_from_db()
        assert getattr(record, field) == value
        assert record.updated_by == user
    else:
        assert not model.objects.filter(pk=record.pk).exists()


# --- request and care transitions ----------------------------------------------------------

# Who may move a request: those with service_requests.change (all of them all-scope), the
# agent as the assignee; everyone else is refused (403), or told it is not there (404) when
# the request is outside their scope.
MOVERS = {"admin", "service", "svcmgr"}
# Readers of requests in their own department subtree only: "in" is sales1's, "out" sales2's.
SCOPED_READERS = {"manager": ("in",), "sales1": ("in",), "sales2": ("out",)}
REQUEST_MOVES = {
    "assign": RequestStatus.NEW,
    "start": RequestStatus.ASSIGNED,
    "resolve": RequestStatus.IN_PROGRESS,
    "close": RequestStatus.RESOLVED,
    "reopen": RequestStatus.CLOSED,
}
AFTER = {
    "assign": "assigned",
    "start": "in_progress",
    "resolve": "resolved",
    "close": "closed",
    "reopen": "in_progress",
}


@pytest.mark.parametrize("target", ["in", "out"])
@pytest.mark.parametrize("move", list(REQUEST_MOVES))
@pytest.mark.parametrize("role", ROLES)
def test_request_moves(org, api, role, move, target):
    users = org.users
    owner = users.sales1 if target == "in" else users.sales2
    customer = CustomerFactory(owner=owner)
    request = make_request(org, customer, REQUEST_MOVES[move], by=owner)
    data = {
        "assign": {"assignee": users.service.pk},
        "resolve": {"resolution": "已处理"},
        "close": {"satisfaction": 5},
    }.get(move, {})
    before = service_state()
    response = api(getattr(users, role)).post(
        f"/api/v1/service-requests/{request.pk}/{move}/", data
    )
    if role in MOVERS:
        assert response.status_code == 200, response.content
        assert response.json()["status"] == AFTER[move]
    else:
        visible = target in SCOPED_READERS.get(role, ("in", "out"))
        assert response.status_code == (403 if visible else 404)
        assert service_state() == before


# care.change, and the action within the scope
CARE_MOVES = {
    "admin": (200, 200),
    "manager": (200, 404),
    "sales1": (200, 404),
    "sales2": (404, 200),
    "clerk": (403, 403),
    "researcher": (403, 403),
    "service": (200, 200),
    "svcmgr": (200, 200),
    "exec": (403, 403),
}


@pytest.mark.parametrize("target", ["in", "out"])
@pytest.mark.parametrize("move", ["done", "skip"])
@pytest.mark.parametrize("role", ROLES)
def test_care_moves(org, api, role, move, target):
    users = org.users
    records, _customers = build(org, "care-actions")
    action = records[target]
    before = service_state()
    response = api(getattr(users, role)).post(
        f"/api/v1/care-actions/{action.pk}/{move}/", {"note": "已联系"}
    )
    expected = CARE_MOVES[role][0 if target == "in" else 1]
    assert response.status_code == expected, response.content
    if expected == 200:
        assert response.json()["status"] == ("done" if move == "done" else "skipped")
    else:
        assert service_state() == before


# --- read-only lists -----------------------------------------------------------------------

# (sales1's customer listed, sales2's customer listed), or 403
CUSTOMER_LISTS = {
    "admin": (True, True),
    "manager": (True, False),
    "sales1": (True, False),
    "sales2": (False, True),
    "clerk": (True, True),
    "researcher": 403,
    "service": (True, True),
    "svcmgr": (True, True),
    "exec": (True, True),
}


@pytest.mark.parametrize("kind", ["churn-warnings", "lost-customers"])
@pytest.mark.parametrize("role", ROLES)
def test_churn_and_lost_lists(org, api, role, kind):
    users = org.users
    long_ago = timezone.now() - datetime.timedelta(days=400)
    status = "active" if kind == "churn-warnings" else "lost"
    mine = CustomerFactory(owner=users.sales1, status=status, created_at=long_ago)
    theirs = CustomerFactory(owner=users.sales2, status=status, created_at=long_ago)
    response = api(getattr(users, role)).get(f"/api/v1/{kind}/")
    expected = CUSTOMER_LISTS[role]
    if expected == 403:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    listed = {r["id"] for r in response.json()["results"]}
    assert (mine.pk in listed, theirs.pk in listed) == expected
    assert api(getattr(users, role)).post(f"/api/v1/{kind}/", {}).status_code in (403, 405)


@pytest.mark.parametrize("role", ROLES)
def test_queues(org, api, role):
    client = api(getattr(org.users, role))
    team = client.get("/api/v1/service-requests/team-queue/")
    assert team.status_code == (200 if role in {"admin", "svcmgr"} else 403)
    queue = client.get("/api/v1/service-requests/queue/")
    assert queue.status_code == 200  # every role here may view requests


# (sales1's customer, sales2's customer): customers.view and the customer scope
TIMELINE = {
    "admin": (200, 200),
    "manager": (200, 404),
    "sales1": (200, 404),
    "sales2": (404, 200),
    "clerk": (200, 200),
    "researcher": (200, 200),
    "service": (200, 200),
    "svcmgr": (200, 200),
    "exec": (200, 200),
}
# customers.change and the customer scope
MARK_LOST = {
    "admin": (200, 200),
    "manager": (200, 404),
    "sales1": (200, 404),
    "sales2": (404, 200),
    "clerk": (200, 200),
    "researcher": (403, 403),
    "service": (403, 403),
    "svcmgr": (403, 403),
    "exec": (403, 403),
}


@pytest.mark.parametrize("target", ["in", "out"])
@pytest.mark.parametrize("role", ROLES)
def test_timeline_and_mark_lost(org, api, role, target):
    users = org.users
    owner = users.sales1 if target == "in" else users.sales2
    customer = CustomerFactory(owner=owner, status="active")
    feedback_create(actor=owner, customer=customer, content="回访")
    client = api(getattr(users, role))
    index = 0 if target == "in" else 1
    response = client.get(f"/api/v1/customers/{customer.pk}/timeline/")
    assert response.status_code == TIMELINE[role][index], response.content
    if response.status_code == 200:
        kinds = {r["kind"] for r in response.json()["results"]}
        assert kinds == {"feedback"}  # every role here reads feedback
    before = service_state()
    response = client.post(f"/api/v1/customers/{customer.pk}/mark-lost/", {"reason": "停产"})
    assert response.status_code == MARK_LOST[role][index], response.content
    customer.refresh_from_db()
    if response.status_code == 200:
        assert customer.status == "lost" and customer.lost_reason == "停产"
    else:
        assert service_state() == before and customer.status == "active"


@pytest.mark.parametrize("role", ROLES)
def test_notifications_own_only(org, api, role):
    from guanxi.notifications.models import Notification
    from guanxi.notifications.services import Note, notify

    users = org.users
    notify(
        [Note(recipient_id=getattr(users, r).pk, kind="churn_warning", key=f"k-{r}") for r in ROLES]
    )
    user = getattr(users, role)
    client = api(user)
    own = Notification.objects.get(recipient=user)
    other = Notification.objects.exclude(recipient=user).first()
    assert [r["id"] for r in client.get("/api/v1/notifications/").json()["results"]] == [own.pk]
    assert client.get(f"/api/v1/notifications/{own.pk}/").status_code == 200
    assert client.get(f"/api/v1/notifications/{other.pk}/").status_code == 404
    assert client.patch(f"/api/v1/notifications/{other.pk}/", {"read": True}).status_code == 404
    assert client.post("/api/v1/notifications/mark-all-read/").json()["marked"] == 1
    assert Notification.objects.filter(read_at__isnull=False).get() == own
