"""API views: parse with a serializer, call one selector or service, render."""
