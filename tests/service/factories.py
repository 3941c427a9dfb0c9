"""Factories for the service, care, market and notification tests: rows built directly, for
the tests whose subject is not the service that writes them."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from guanxi.reference.models import ComplaintCategory, ServiceRequestType
from tests.factories import CustomerFactory


def request_type(code="REPAIR"):
    return ServiceRequestType.objects.get(code=code)


def complaint_category(code="QUALITY"):
    return ComplaintCategory.objects.get(code=code)


class FeedbackFactory(DjangoModelFactory):
    class Meta:
        model = "service.Feedback"

    customer = factory.SubFactory(CustomerFactory)
    date = factory.LazyFunction(timezone.localdate)
    content = factory.Sequence(lambda n: f"电话沟通交货计划{n}")
    reported_by = factory.LazyAttribute(lambda o: o.customer.owner)
    created_by = factory.LazyAttribute(lambda o: o.reported_by)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from guanxi.service.search import feedback_text_now

        kwargs["search_text"] = feedback_text_now(model_class(**kwargs))
        return super()._create(model_class, *args, **kwargs)


def _due(o):
    from guanxi.service.services.requests import due_times

    return due_times(o.created_at, o.priority)


class ServiceRequestFactory(DjangoModelFactory):
    class Meta:
        model = "service.ServiceRequest"

    number = factory.Sequence(lambda n: f"SR-T-{n:05d}")
    customer = factory.SubFactory(CustomerFactory)
    type = factory.LazyFunction(request_type)
    priority = "normal"
    subject = factory.Sequence(lambda n: f"设备异响{n}")
    created_at = factory.LazyFunction(timezone.now)
    due_at = factory.LazyAttribute(lambda o: _due(o)[0])
    at_risk_at = factory.LazyAttribute(lambda o: _due(o)[1])


class CareActionFactory(DjangoModelFactory):
    class Meta:
        model = "service.CareAction"

    customer = factory.SubFactory(CustomerFactory)
    kind = "follow_up"
    title = factory.Sequence(lambda n: f"回访{n}")
    due_date = factory.LazyFunction(timezone.localdate)
    assignee = factory.LazyAttribute(lambda o: o.customer.owner)


class CompetitorFactory(DjangoModelFactory):
    class Meta:
        model = "market.Competitor"

    name = factory.Sequence(lambda n: f"竞品公司{n}")


class NewsFactory(DjangoModelFactory):
    class Meta:
        model = "market.IndustryNews"

    title = factory.Sequence(lambda n: f"行业动态{n}")
    published_on = factory.LazyFunction(timezone.localdate)


class NotificationFactory(DjangoModelFactory):
    class Meta:
        model = "notifications.Notification"

    kind = "task_due"
    key = factory.Sequence(lambda n: f"test:{n}")
    subject = "拜访"
    params = factory.LazyFunction(lambda: {"id": 1, "customer": "测试"})


def days_ago(n, today=None):
    return (today or timezone.localdate()) - datetime.timedelta(days=n)
