"""The reference lists by URL slug, so that one set of pages and API endpoints serves them all."""

from django.db import models

from . import models as m

REFERENCE_LISTS: dict[str, type[m.ReferenceEntry]] = {
    "regions": m.Region,
    "customer-categories": m.CustomerCategory,
    "customer-levels": m.CustomerLevel,
    "industries": m.Industry,
    "job-titles": m.JobTitle,
    "project-types": m.ProjectType,
    "work-methods": m.WorkMethod,
    "customer-sources": m.CustomerSource,
    "opportunity-stages": m.OpportunityStage,
    "service-request-types": m.ServiceRequestType,
    "complaint-categories": m.ComplaintCategory,
    "lost-reasons": m.LostReason,
    "holidays": m.Holiday,
}


def extra_fields(model: type[models.Model]) -> list[str]:
    """Fields a list has beyond code, name, English name, sort order and active flag."""
    base = {"code", "name", "name_en", "sort_order", "is_active", "path"}
    return [
        f.name
        for f in model._meta.concrete_fields
        if f.editable and not f.primary_key and f.name not in base
    ]


def slug_for(model: type[models.Model]) -> str:
    for slug, candidate in REFERENCE_LISTS.items():
        if candidate is model:
            return slug
    raise KeyError(model)
