"""Pages: interaction feedback, service requests (queues, transitions), service settings."""

urlpatterns: list = []
