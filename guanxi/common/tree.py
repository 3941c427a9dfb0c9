"""Materialised paths ('/1/4/9/') for small trees: departments and regions."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _


def path_for(instance: models.Model) -> str:
    parent = getattr(instance, "parent", None)
    parent_path = parent.path if parent is not None else "/"
    return f"{parent_path}{instance.pk}/"


def check_not_own_descendant(instance: models.Model, old_path: str) -> None:
    parent = getattr(instance, "parent", None)
    if parent is None or not old_path:
        return
    if parent.pk == instance.pk or parent.path.startswith(old_path):
        raise ValidationError({"parent": _("An entry cannot be placed under itself.")})


def reroot_subtree(model: type[models.Model], old_path: str, new_path: str) -> None:
    """After a node moved, rewrite the paths of its descendants (one UPDATE per row)."""
    if not old_path or old_path == new_path:
        return
    for node in model._default_manager.filter(path__startswith=old_path).exclude(path=new_path):
        node.path = new_path + node.path[len(old_path) :]
        node.save(update_fields=["path"])


def subtree_ids(model: type[models.Model], node: models.Model | None) -> list[int]:
    if node is None:
        return []
    return list(
        model._default_manager.filter(path__startswith=node.path).values_list("pk", flat=True)
    )
