"""Move the plaintext tokens of DRF's authtoken app into ApiToken as SHA-256 digests, so that
every token handed out before keeps working, then drop the authtoken table (the app is no
longer installed). Raw SQL because the authtoken models are gone; written out here (no app
imports) so that this migration means the same forever."""

import hashlib

from django.db import migrations
from django.utils import timezone

OLD_TABLE = "authtoken_token"


def hash_drf_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    User = apps.get_model("accounts", "User")
    with connection.cursor() as cursor:
        # "key" is quoted: a reserved word on some engines (SQLite and PostgreSQL accept it).
        cursor.execute('SELECT "key", user_id, created FROM authtoken_token')
        rows = cursor.fetchall()
    existing = set(User.objects.values_list("pk", flat=True))
    tokens = [
        ApiToken(
            user_id=user_id,
            name="API sign-in",
            prefix=key[:8],
            digest=hashlib.sha256(key.encode("utf-8")).hexdigest(),
            created_at=created or timezone.now(),
            updated_at=created or timezone.now(),
            created_by_id=user_id,
            updated_by_id=user_id,
        )
        for key, user_id, created in rows
        if user_id in existing
    ]
    ApiToken.objects.bulk_create(tokens, batch_size=1000)
    schema_editor.execute("DROP TABLE authtoken_token")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = %s", ["authtoken"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_api_tokens")]
    # Irreversible by design: going back would need the secrets, which are not kept.
    operations = [migrations.RunPython(hash_drf_tokens, migrations.RunPython.noop)]
