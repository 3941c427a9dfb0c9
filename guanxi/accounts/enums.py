"""Modules, actions and scopes that roles are made of. Roles themselves are data."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    OWN = "own", _("Own records")
    DEPARTMENT = "department", _("Own department and below")
    ALL = "all", _("All records")


SCOPE_RANK = {Scope.OWN: 1, Scope.DEPARTMENT: 2, Scope.ALL: 3}


class Module(models.TextChoices):
    CUSTOMERS = "customers", _("Customers")
    CONTACTS = "contacts", _("Contacts")
    REFERENCE = "reference", _("Reference data")
    USERS = "users", _("Users")
    DEPARTMENTS = "departments", _("Departments")
    ROLES = "roles", _("Roles")
    AUDIT = "audit", _("Audit log")
    OPPORTUNITIES = "opportunities", _("Opportunities")
    TASKS = "tasks", _("Tasks")
    PRODUCTS = "products", _("Products")
    CONTRACTS = "contracts", _("Contracts")
    SALES_RECORDS = "sales_records", _("Sales records")
    PAYMENTS = "payments", _("Payments")
    FEEDBACK = "feedback", _("Interaction feedback")
    SERVICE_REQUESTS = "service_requests", _("Service requests")
    CARE = "care", _("Customer care")
    COMPETITORS = "competitors", _("Competitors")
    NEWS = "news", _("Industry news")


class Action(models.TextChoices):
    VIEW = "view", _("View")
    CREATE = "create", _("Create")
    CHANGE = "change", _("Change")
    DELETE = "delete", _("Delete")
    EXPORT = "export", _("Export")
    APPROVE = "approve", _("Approve / review")


class Gender(models.TextChoices):
    UNKNOWN = "", _("Not stated")
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


def perm_code(module: str, action: str) -> str:
    return f"{module}.{action}"


ALL_PERMISSIONS = [perm_code(m, a) for m in Module.values for a in Action.values]
