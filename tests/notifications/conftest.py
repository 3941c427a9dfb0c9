import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english():
    """Service messages are checked in English, whatever ran before in this process (the
    default language is zh-hans)."""
    with translation.override("en"):
        yield
