"""Pages: urls_contracts."""

urlpatterns: list = []
