import os

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("GUANXI_CHROMIUM", "/usr/bin/chromium"),
            args=CHROMIUM_ARGS,
            headless=True,
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """new_page(width=1280) → a page whose console errors are collected in page.errors."""

    contexts = []

    def _new(width=1280, locale="en-US"):
        context = browser.new_context(
            viewport={"width": width, "height": 900}, locale=locale, base_url=live_server.url
        )
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on(
            "console", lambda msg: page.errors.append(msg.text) if msg.type == "error" else None
        )
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        return page

    yield _new
    for context in contexts:
        context.close()
