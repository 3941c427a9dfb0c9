"""Competitors become records (issue 4): the free text an opportunity had becomes its
`competitor_notes`, and each name in it becomes a Competitor linked to the opportunity."""

import re

from django.db import migrations, models

SEPARATORS = re.compile(r"[,，、;；/]+")


def link_competitors(apps, schema_editor):
    Opportunity = apps.get_model("sales", "Opportunity")
    Competitor = apps.get_model("market", "Competitor")
    by_name = {c.name.lower(): c for c in Competitor.objects.all()}
    for opp in Opportunity.objects.exclude(competitor_notes="").iterator():
        linked = []
        for raw in SEPARATORS.split(opp.competitor_notes):
            name = " ".join(raw.split())[:200]  # as the services store a name
            if not name:
                continue
            competitor = by_name.get(name.lower())
            if competitor is None:
                competitor = Competitor.objects.create(name=name)
                by_name[name.lower()] = competitor
            linked.append(competitor)
        if linked:
            opp.competitors.add(*linked)


class Migration(migrations.Migration):
    dependencies = [
        ("market", "0001_initial"),
        ("sales", "0002_indexes_and_product_code"),
    ]

    operations = [
        migrations.RenameField("opportunity", "competitors", "competitor_notes"),
        migrations.AlterField(
            model_name="opportunity",
            name="competitor_notes",
            field=models.CharField(blank=True, max_length=255, verbose_name="competitor notes"),
        ),
        migrations.AddField(
            model_name="opportunity",
            name="competitors",
            field=models.ManyToManyField(
                blank=True,
                related_name="opportunities",
                to="market.competitor",
                verbose_name="competitors",
            ),
        ),
        migrations.RunPython(link_competitors, migrations.RunPython.noop),
    ]
