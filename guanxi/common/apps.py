from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "guanxi.common"
    verbose_name = _("Common")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        post_migrate.connect(_ensure_search_tables, sender=self)


def _ensure_search_tables(sender: AppConfig, using: str = "default", **kwargs: object) -> None:
    """SQLite rebuilds a table for many column changes and its FTS triggers die with it."""
    from .search import ensure_sqlite_search_tables

    ensure_sqlite_search_tables(using)
