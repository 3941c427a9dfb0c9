"""The seven roles of the spec, as data an administrator can change afterwards.

Written out in full here (no app imports) so that this migration means the same forever.
"""

from django.db import migrations

MODULES = ["customers", "contacts", "reference", "users", "departments", "roles", "audit"]


def codes(spec: dict[str, str]) -> list[str]:
    letter_to_action = {
        "v": "view",
        "c": "create",
        "u": "change",
        "d": "delete",
        "x": "export",
        "a": "approve",
    }
    return sorted(
        f"{module}.{letter_to_action[ch]}" for module, letters in spec.items() for ch in letters
    )


ROLES = [
    # code, Chinese name, English name, scope, permissions (v c u d x a per module)
    ("admin", "系统管理员", "Administrator", "all", dict.fromkeys(MODULES, "vcudxa")),
    (
        "sales_manager",
        "销售经理",
        "Sales manager",
        "department",
        {"customers": "vcudxa", "contacts": "vcudx", "users": "v"},
    ),
    (
        "salesperson",
        "业务员",
        "Salesperson",
        "own",
        {"customers": "vcu", "contacts": "vcud", "users": "v"},
    ),
    (
        "clerk",
        "信息管理员",
        "Information clerk",
        "all",
        {"customers": "vcux", "contacts": "vcudx", "users": "v"},
    ),
    ("researcher", "市场调研人员", "Market researcher", "all", {"customers": "v", "contacts": "v"}),
    ("service", "客服人员", "Service agent", "all", {"customers": "v", "contacts": "vcu"}),
    (
        "executive",
        "决策层",
        "Executive",
        "all",
        {"customers": "vx", "contacts": "vx", "users": "v", "audit": "v"},
    ),
]


def create_roles(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for code, name, name_en, scope, spec in ROLES:
        Role.objects.update_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "scope": scope, "permissions": codes(spec)},
        )


def remove_roles(apps, schema_editor):
    apps.get_model("accounts", "Role").objects.filter(code__in=[r[0] for r in ROLES]).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(create_roles, remove_roles)]
