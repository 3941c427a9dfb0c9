"""Writes for reference lists: create, edit, reorder, deactivate, delete when unused, and the
bulk load of administrative divisions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from guanxi.common.history import log_create, log_event, log_update, snapshot, stamp
from guanxi.common.models import AuditAction
from guanxi.common.tree import check_not_own_descendant, path_for, reroot_subtree

from .models import ReferenceEntry, Region


@transaction.atomic
def reference_create(*, actor: Any, model: type[ReferenceEntry], **fields: Any) -> ReferenceEntry:
    entry = model(**fields)
    if "sort_order" not in fields:
        last = model.objects.order_by("-sort_order").values_list("sort_order", flat=True).first()
        entry.sort_order = (last or 0) + 10
    stamp(entry, actor, new=True)
    entry.full_clean(exclude=["path"] if isinstance(entry, Region) else None)
    entry.save()
    if isinstance(entry, Region):
        entry.path = path_for(entry)
        entry.save(update_fields=["path"])
    log_create(user=actor, instance=entry)
    return entry


@transaction.atomic
def reference_update(*, actor: Any, entry: ReferenceEntry, **fields: Any) -> ReferenceEntry:
    before = snapshot(entry)
    old_path = getattr(entry, "path", "")
    for name, value in fields.items():
        setattr(entry, name, value)
    if isinstance(entry, Region):
        check_not_own_descendant(entry, old_path)
        entry.path = path_for(entry)
    stamp(entry, actor, new=False)
    entry.full_clean(exclude=["path"] if isinstance(entry, Region) else None)
    entry.save()
    if isinstance(entry, Region):
        reroot_subtree(Region, old_path, entry.path)
    log_update(user=actor, instance=entry, before=before)
    return entry


def reference_delete(*, actor: Any, entry: ReferenceEntry) -> None:
    """Delete an unused entry. One in use raises ValidationError: deactivate it instead."""
    try:
        with transaction.atomic():
            log_event(action=AuditAction.DELETE, user=actor, instance=entry)
            entry.delete()
    except ProtectedError:
        raise ValidationError(
            _("“%(name)s” is in use and cannot be deleted; deactivate it instead.")
            % {"name": entry}
        ) from None


@transaction.atomic
def reference_move(*, actor: Any, entry: ReferenceEntry, direction: str) -> ReferenceEntry:
    """Swap the entry's place with its neighbour above ('up') or below ('down')."""
    model = type(entry)
    siblings = model.objects.all()
    if isinstance(entry, Region):
        siblings = siblings.filter(parent_id=entry.parent_id)
    ordered = list(siblings.order_by("sort_order", "code").only("pk", "sort_order"))
    index = next(i for i, e in enumerate(ordered) if e.pk == entry.pk)
    other_index = index - 1 if direction == "up" else index + 1
    if other_index < 0 or other_index >= len(ordered):
        return entry
    # Renumber the siblings so that equal sort orders cannot make the swap a no-op.
    ordered[index], ordered[other_index] = ordered[other_index], ordered[index]
    for position, item in enumerate(ordered):
        new_order = (position + 1) * 10
        if item.sort_order != new_order:
            if item.pk == entry.pk:
                reference_update(actor=actor, entry=entry, sort_order=new_order)
            else:
                model.objects.filter(pk=item.pk).update(sort_order=new_order)
    entry.refresh_from_db()
    return entry


class RegionRowError(ValueError):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@transaction.atomic
def regions_load(*, actor: Any, rows: Iterable[tuple[str, str, str]]) -> dict[str, int]:
    """Create or update regions from (code, name, parent_code) rows, all or nothing.

    Parents may come after their children in the file. Unknown parent codes, empty codes or
    names, and cycles are reported with their line numbers and nothing is written.
    """
    parsed: dict[str, tuple[str, str, int]] = {}
    errors: list[str] = []
    for line, (code, name, parent_code) in enumerate(rows, start=2):
        code, name, parent_code = code.strip(), name.strip(), parent_code.strip()
        if not code or not name:
            errors.append(_("line %(line)d: code and name are required") % {"line": line})
            continue
        if len(code) > 32 or len(name) > 100:
            errors.append(_("line %(line)d: code or name too long") % {"line": line})
            continue
        if code in parsed:
            errors.append(
                _("line %(line)d: code %(code)s appears twice") % {"line": line, "code": code}
            )
            continue
        parsed[code] = (name, parent_code, line)
    existing = {r.code: r for r in Region.objects.all()}
    for _name, parent_code, line in parsed.values():
        if parent_code and parent_code not in parsed and parent_code not in existing:
            errors.append(
                _("line %(line)d: parent code %(parent)s not found")
                % {"line": line, "parent": parent_code}
            )
    if errors:
        raise RegionRowError(errors)

    # Order so that every parent is handled before its children; detect cycles.
    ordered: list[str] = []
    state: dict[str, int] = {}

    def visit(code: str, trail: tuple[str, ...] = ()) -> None:
        if state.get(code) == 2:
            return
        if state.get(code) == 1:
            raise RegionRowError([_("regions form a cycle: %s") % " → ".join((*trail, code))])
        state[code] = 1
        parent_code = parsed[code][1]
        if parent_code in parsed:
            visit(parent_code, (*trail, code))
        state[code] = 2
        ordered.append(code)

    for code in parsed:
        visit(code)

    created = updated = 0
    for position, code in enumerate(ordered):
        name, parent_code, _line = parsed[code]
        parent = existing.get(parent_code) if parent_code else None
        region = existing.get(code)
        if region is None:
            region = Region(code=code, name=name, parent=parent, sort_order=position)
            stamp(region, actor, new=True)
            region.save()
            created += 1
        elif region.name != name or region.parent_id != (parent.pk if parent else None):
            region.name, region.parent = name, parent
            stamp(region, actor, new=False)
            region.save()
            updated += 1
        old_path = region.path
        region.path = path_for(region)
        if region.path != old_path:
            region.save(update_fields=["path"])
            reroot_subtree(Region, old_path, region.path)
        existing[code] = region
    log_event(
        action=AuditAction.IMPORT,
        user=actor,
        detail={"what": "regions", "created": created, "updated": updated},
    )
    return {"created": created, "updated": updated}
