"""The normalised search column of opportunities, contracts and products, filled in batches,
and its trigram index (GIN pg_trgm on PostgreSQL, FTS5 trigram on SQLite; see
guanxi.common.search). Not atomic: the index is built CONCURRENTLY and each batch commits on its own."""

from django.db import migrations, models, transaction

from guanxi.common.search import SearchIndex

BATCH = 2000


def _batches(queryset):
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not rows:
            return
        yield rows
        last = rows[-1].pk


def fill(apps, schema_editor):
    # Pure functions of the row's fields: the same text the services write.
    from guanxi.sales.search import (
        contract_search_text,
        opportunity_search_text,
        product_search_text,
    )

    alias = schema_editor.connection.alias
    Opportunity = apps.get_model("sales", "Opportunity")
    Contract = apps.get_model("sales", "Contract")
    opportunities = Opportunity._base_manager.using(alias).select_related("customer")
    for rows in _batches(opportunities.prefetch_related("competitors")):
        for row in rows:
            row.search_text = opportunity_search_text(
                row,
                customer_name=row.customer.name,
                competitor_names=[c.name for c in row.competitors.all()],
            )
        with transaction.atomic(using=alias):
            Opportunity._base_manager.using(alias).bulk_update(rows, ["search_text"])
    for rows in _batches(Contract._base_manager.using(alias).select_related("customer")):
        for row in rows:
            row.search_text = contract_search_text(row, customer_name=row.customer.name)
        with transaction.atomic(using=alias):
            Contract._base_manager.using(alias).bulk_update(rows, ["search_text"])
    Product = apps.get_model("sales", "Product")
    for rows in _batches(Product._base_manager.using(alias)):
        for row in rows:
            row.search_text = product_search_text(row)
        with transaction.atomic(using=alias):
            Product._base_manager.using(alias).bulk_update(rows, ["search_text"])


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("sales", "0006_customer_receivables"),
        ("customers", "0004_search_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="contract",
            name="search_text",
            field=models.TextField(default="", editable=False),
        ),
        migrations.AddField(
            model_name="opportunity",
            name="search_text",
            field=models.TextField(default="", editable=False),
        ),
        migrations.AddField(
            model_name="product",
            name="search_text",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        SearchIndex("sales_opportunity"),
        SearchIndex("sales_contract"),
        SearchIndex("sales_product"),
    ]
