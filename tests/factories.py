"""Factories for tests. Customers and contacts are built through the services where the
behaviour under test depends on it; these build rows directly for speed."""

import factory
from factory.django import DjangoModelFactory

from guanxi.accounts.models import Department, Role, User
from guanxi.common.text import normalize_name, normalize_phone, pinyin_full, pinyin_initials
from guanxi.customers.models import Contact, Customer
from guanxi.customers.search import contact_search_text, customer_search_text


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"D{n:03d}")
    name = factory.Sequence(lambda n: f"部门{n}")

    @factory.post_generation
    def set_path(obj, create, extracted, **kwargs):  # noqa: N805
        parent_path = obj.parent.path if obj.parent_id else "/"
        obj.path = f"{parent_path}{obj.pk}/"
        obj.save(update_fields=["path"])


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "demo12345")

    @factory.post_generation
    def roles(obj, create, extracted, **kwargs):  # noqa: N805
        obj.save()
        if extracted:
            obj.roles.set(
                [Role.objects.get(code=c) if isinstance(c, str) else c for c in extracted]
            )


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = Customer

    code = factory.Sequence(lambda n: f"T{n:06d}")
    name = factory.Sequence(lambda n: f"测试汽配有限公司{n}号")
    review_status = "approved"
    phone = ""
    normalized_name = factory.LazyAttribute(lambda o: normalize_name(o.name))
    phone_normalized = factory.LazyAttribute(lambda o: normalize_phone(o.phone))
    name_pinyin = factory.LazyAttribute(lambda o: pinyin_full(o.name))
    name_initials = factory.LazyAttribute(lambda o: pinyin_initials(o.name))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        kwargs["search_text"] = customer_search_text(model_class(**kwargs))
        return super()._create(model_class, *args, **kwargs)


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"联系人{n}")
    mobile = ""
    mobile_normalized = factory.LazyAttribute(lambda o: normalize_phone(o.mobile))
    name_pinyin = factory.LazyAttribute(lambda o: pinyin_full(o.name))
    name_initials = factory.LazyAttribute(lambda o: pinyin_initials(o.name))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        probe = model_class(**kwargs)
        kwargs["search_text"] = contact_search_text(probe, probe.customer.name)
        return super()._create(model_class, *args, **kwargs)


# --- sales -------------------------------------------------------------------------------


def _stage():
    from guanxi.reference.models import OpportunityStage

    return OpportunityStage.objects.filter(is_active=True).order_by("sort_order", "code").first()


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = "sales.Product"

    code = factory.Sequence(lambda n: f"P{n:05d}")
    name = factory.Sequence(lambda n: f"刹车片{n}型")
    unit = "件"
    list_price = factory.Sequence(lambda n: f"{100 + n}.50")
    name_pinyin = factory.LazyAttribute(lambda o: pinyin_full(o.name))
    name_initials = factory.LazyAttribute(lambda o: pinyin_initials(o.name))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from guanxi.sales.search import product_search_text

        kwargs["search_text"] = product_search_text(model_class(**kwargs))
        return super()._create(model_class, *args, **kwargs)


class OpportunityFactory(DjangoModelFactory):
    class Meta:
        model = "sales.Opportunity"

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"生产线改造项目{n}")
    stage = factory.LazyFunction(_stage)
    amount = "50000.00"
    probability = 10
    owner = factory.LazyAttribute(lambda o: o.customer.owner)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Like the bulk loaders: the row with its search text, then its share of the
        pipeline totals."""
        from guanxi.sales.search import opportunity_search_text
        from guanxi.sales.services.pipeline import pipeline_apply, share_of

        probe = model_class(**kwargs)
        kwargs["search_text"] = opportunity_search_text(probe, customer_name=probe.customer.name)
        opp = super()._create(model_class, *args, **kwargs)
        opp.refresh_from_db(fields=["amount"])
        pipeline_apply(before=[], after=[share_of(opp)])
        return opp


class TaskFactory(DjangoModelFactory):
    class Meta:
        model = "sales.Task"

    customer = factory.SubFactory(CustomerFactory)
    salesperson = factory.LazyAttribute(lambda o: o.customer.owner)
    date = factory.LazyFunction(
        lambda: __import__("django.utils.timezone").utils.timezone.localdate()
    )
    purpose = factory.Sequence(lambda n: f"拜访客户{n}")


class ContractFactory(DjangoModelFactory):
    """A contract row without lines (total 0); use the services to build real ones."""

    class Meta:
        model = "sales.Contract"

    number = factory.Sequence(lambda n: f"TC-{n:06d}")
    customer = factory.SubFactory(CustomerFactory)
    owner = factory.LazyAttribute(lambda o: o.customer.owner)
    created_by = factory.LazyAttribute(lambda o: o.owner)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from guanxi.sales.search import contract_search_text

        probe = model_class(**kwargs)
        kwargs["search_text"] = contract_search_text(probe, customer_name=probe.customer.name)
        return super()._create(model_class, *args, **kwargs)


class SalesRecordFactory(DjangoModelFactory):
    class Meta:
        model = "sales.SalesRecord"

    customer = factory.SubFactory(CustomerFactory)
    product = factory.SubFactory(ProductFactory)
    salesperson = factory.LazyAttribute(lambda o: o.customer.owner)
    date = factory.LazyFunction(
        lambda: __import__("django.utils.timezone").utils.timezone.localdate()
    )
    quantity = "1"
    unit_price = "100.00"
    amount = "100.00"
