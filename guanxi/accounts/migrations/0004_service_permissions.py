"""Grant the service, care and market modules (issue 4) to the default roles, and add the
service manager role (客服主管), who dispatches requests and reads the team queue. Codes are
added to what each role already has, so an administrator's own changes to a role are kept."""

from django.db import migrations

ACTIONS = {"v": "view", "c": "create", "u": "change", "d": "delete", "x": "export", "a": "approve"}
NEW_MODULES = ["feedback", "service_requests", "care", "competitors", "news"]

GRANTS = {
    "admin": dict.fromkeys(NEW_MODULES, "vcudxa"),
    "sales_manager": {
        "feedback": "vcudx",
        "service_requests": "vcx",
        "care": "vcudx",
        "competitors": "vcu",
        "news": "vcu",
    },
    "salesperson": {
        "feedback": "vcud",
        "service_requests": "vc",
        "care": "vcu",
        "competitors": "vcu",
        "news": "v",
    },
    "clerk": {
        "feedback": "vcudx",
        "service_requests": "vc",
        "care": "v",
        "competitors": "vcu",
        "news": "vcudx",
    },
    "researcher": {
        "feedback": "vcudx",
        "service_requests": "v",
        "competitors": "vcudx",
        "news": "vcudx",
    },
    "service": {
        "feedback": "vcu",
        "service_requests": "vcu",
        "care": "vcu",
        "competitors": "v",
        "news": "v",
    },
    "executive": dict.fromkeys(NEW_MODULES, "vx"),
}

SERVICE_MANAGER = {
    "customers": "v",
    "contacts": "vcu",
    "users": "v",
    "products": "v",
    "contracts": "v",
    "feedback": "vcudx",
    "service_requests": "vcudxa",
    "care": "vcudx",
    "competitors": "v",
    "news": "v",
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
    Role.objects.get_or_create(
        code="service_manager",
        defaults={
            "name": "客服主管",
            "name_en": "Service manager",
            "scope": "all",
            "permissions": sorted(codes(SERVICE_MANAGER)),
        },
    )


def revoke(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    Role.objects.filter(code="service_manager").delete()
    for role in Role.objects.all():
        role.permissions = [p for p in role.permissions or [] if p.split(".")[0] not in NEW_MODULES]
        role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_sales_permissions")]
    operations = [migrations.RunPython(grant, revoke)]
