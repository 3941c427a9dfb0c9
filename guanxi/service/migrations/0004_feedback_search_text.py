"""The normalised search column of feedback, filled in batches, and its trigram index (GIN
pg_trgm on PostgreSQL, FTS5 trigram on SQLite; guanxi.common.search). Not atomic: the index
is built CONCURRENTLY and each batch commits on its own."""

from django.db import migrations, models, transaction

from guanxi.common.search import SearchIndex

BATCH = 2000


def fill(apps, schema_editor):
    # A pure function of the entry and the names it quotes: the text the services write.
    from guanxi.service.search import feedback_search_text

    alias = schema_editor.connection.alias
    Feedback = apps.get_model("service", "Feedback")
    entries = Feedback._base_manager.using(alias).select_related("customer", "contact")
    last = 0
    while True:
        rows = list(entries.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not rows:
            return
        for row in rows:
            row.search_text = feedback_search_text(
                row,
                customer_name=row.customer.name,
                contact_name=row.contact.name if row.contact_id else "",
            )
        with transaction.atomic(using=alias):
            Feedback._base_manager.using(alias).bulk_update(rows, ["search_text"])
        last = rows[-1].pk


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("service", "0003_careaction_version_servicerequest_version"),
        ("customers", "0004_search_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="feedback",
            name="search_text",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        SearchIndex("service_feedback"),
    ]
