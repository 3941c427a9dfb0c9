"""Index shapes the two engines spell differently."""

from __future__ import annotations

import copy
from typing import Any

from django.db import models


class NullsLastIndex(models.Index):
    """An index whose `nulls_last` columns, descending, keep NULLs last, as a list ordered by
    `F(name).desc(nulls_last=True)` reads them. PostgreSQL needs that in the index (its DESC
    puts NULLs first, so the plain index cannot serve the ordering and the list sorts every
    row); SQLite cannot say it and needs nothing (its DESC puts NULLs last already)."""

    def __init__(self, *args: Any, nulls_last: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.nulls_last = tuple(nulls_last)

    def deconstruct(self) -> tuple[str, tuple, dict[str, Any]]:
        path, args, kwargs = super().deconstruct()
        kwargs["nulls_last"] = self.nulls_last
        return path, args, kwargs

    def create_sql(self, model: Any, schema_editor: Any, using: str = "", **kwargs: Any) -> Any:
        if schema_editor.connection.vendor != "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        spelt = copy.copy(self)
        spelt.fields_orders = [
            (name, "DESC NULLS LAST" if order == "DESC" and name in self.nulls_last else order)
            for name, order in self.fields_orders
        ]
        return models.Index.create_sql(spelt, model, schema_editor, using=using, **kwargs)
