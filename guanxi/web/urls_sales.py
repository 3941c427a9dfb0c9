"""Pages: urls_sales."""

urlpatterns: list = []
