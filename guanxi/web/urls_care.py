"""Pages: customer care, churn warning and lost customers, competitors, industry news,
notifications."""

urlpatterns: list = []
