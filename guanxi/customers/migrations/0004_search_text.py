"""The normalised search column of customers and contacts, filled in batches, and its trigram
index (GIN pg_trgm on PostgreSQL, FTS5 trigram on SQLite; guanxi.common.search).

Not atomic: PostgreSQL builds the index CONCURRENTLY, and each batch of the backfill commits
on its own, so a big table is never locked for the whole run."""

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
    # The derivation is a pure function of the row's fields: the same text the services write.
    from guanxi.customers.search import contact_search_text, customer_search_text

    alias = schema_editor.connection.alias
    Customer = apps.get_model("customers", "Customer")
    Contact = apps.get_model("customers", "Contact")
    for rows in _batches(Customer._base_manager.using(alias)):
        for row in rows:
            row.search_text = customer_search_text(row)
        with transaction.atomic(using=alias):
            Customer._base_manager.using(alias).bulk_update(rows, ["search_text"])
    contacts = Contact._base_manager.using(alias).select_related("customer")
    for rows in _batches(contacts):
        for row in rows:
            row.search_text = contact_search_text(row, row.customer.name)
        with transaction.atomic(using=alias):
            Contact._base_manager.using(alias).bulk_update(rows, ["search_text"])


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("customers", "0003_contact_version_customer_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="contact",
            name="search_text",
            field=models.TextField(default="", editable=False),
        ),
        migrations.AddField(
            model_name="customer",
            name="search_text",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        SearchIndex("customers_customer"),
        SearchIndex("customers_contact"),
    ]
