"""Grant the sales modules (issue 3) to the default roles. Codes are added to what each role
already has, so an administrator's own changes to a role are kept."""

from django.db import migrations

ACTIONS = {"v": "view", "c": "create", "u": "change", "d": "delete", "x": "export", "a": "approve"}
SALES_MODULES = ["opportunities", "tasks", "products", "contracts", "sales_records", "payments"]

GRANTS = {
    "admin": dict.fromkeys(SALES_MODULES, "vcudxa"),
    "sales_manager": {
        "opportunities": "vcudx",
        "tasks": "vcudx",
        "products": "v",
        "contracts": "vcudxa",
        "sales_records": "vcudx",
        "payments": "vcudx",
    },
    "salesperson": {
        "opportunities": "vcud",
        "tasks": "vcud",
        "products": "v",
        "contracts": "vcud",
        "sales_records": "vc",
        "payments": "vc",
    },
    "clerk": {
        "opportunities": "v",
        "tasks": "v",
        "products": "vcudx",
        "contracts": "v",
        "sales_records": "vcudx",
        "payments": "vcu",
    },
    "researcher": {"opportunities": "v", "products": "v"},
    "service": {"products": "v", "contracts": "v"},
    "executive": dict.fromkeys(SALES_MODULES, "vx"),
}


def codes(spec):
    return {f"{module}.{ACTIONS[ch]}" for module, letters in spec.items() for ch in letters}


def grant(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for code, spec in GRANTS.items():
        role = Role.objects.filter(code=code).first()
        if role is not None:
            role.permissions = sorted(set(role.permissions or []) | codes(spec))
            role.save(update_fields=["permissions"])


def revoke(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.all():
        role.permissions = [
            p for p in role.permissions or [] if p.split(".")[0] not in SALES_MODULES
        ]
        role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_default_roles")]
    operations = [migrations.RunPython(grant, revoke)]
