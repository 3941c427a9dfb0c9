"""Serializers parse and render; they hold no business rules (those are in the services)."""
