"""Holidays customers get greetings for. Fixed-date ones recur every year; the lunar ones
(春节, 中秋节) are entered per year — administrators add the following years' dates."""

from django.db import migrations

HOLIDAYS = [
    # code, Chinese name, English name, month, day, year (None: every year)
    ("NEW_YEAR", "元旦", "New Year's Day", 1, 1, None),
    ("SPRING_2027", "春节 2027", "Spring Festival 2027", 2, 6, 2027),
    ("SPRING_2028", "春节 2028", "Spring Festival 2028", 1, 26, 2028),
    ("LABOUR", "劳动节", "Labour Day", 5, 1, None),
    ("MID_AUTUMN_2027", "中秋节 2027", "Mid-Autumn Festival 2027", 9, 15, 2027),
    ("NATIONAL", "国庆节", "National Day", 10, 1, None),
]


def create(apps, schema_editor):
    Holiday = apps.get_model("reference", "Holiday")
    for position, (code, name, name_en, month, day, year) in enumerate(HOLIDAYS, start=1):
        Holiday.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "month": month,
                "day": day,
                "year": year,
                "sort_order": position * 10,
            },
        )


def remove(apps, schema_editor):
    apps.get_model("reference", "Holiday").objects.filter(
        code__in=[h[0] for h in HOLIDAYS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("reference", "0003_holiday")]
    operations = [migrations.RunPython(create, remove)]
