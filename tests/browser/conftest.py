"""A real browser for the web chat tests: Debian's chromium, driven by Playwright's python package.

The browser is never downloaded (no ``playwright install``): the tests use the system
``chromium`` (``scripts/ensure_chromium.sh`` installs it; ``make test`` runs that first)
and are skipped, saying why, when it is absent.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from bot.config import PROJECT_ROOT
from tests.support.stack import Stack

ARTIFACTS = PROJECT_ROOT / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.skip("chromium is not installed, so the browser tests cannot run: "
                    "run scripts/ensure_chromium.sh as root (make test does) or `apt-get install chromium`")
    return path


@pytest.fixture(scope="module")
def browser(chromium_path, tmp_path_factory) -> Iterator:
    """A headless chromium with a fresh profile (no history, no cache, no sign-in)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=chromium_path,
            headless=True,  # Playwright passes --headless itself
            args=CHROMIUM_ARGS,
            viewport={"width": 1100, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="module")
def stack(shared_stack, chromium_path) -> Stack:
    """Actions, Rasa and the API (which serves the page): the run's shared stack, with
    ``APP_ENV=development`` (tests/support/shared_stack.py). Asked for after chromium, so a
    run without chromium skips without starting it.

    Modules using it mark themselves ``needs_model``, so a missing model skips, saying so.
    """
    assert shared_stack.api_url
    return shared_stack


@pytest.fixture
def page(browser, stack):
    page = browser.new_page()
    page.set_default_timeout(90_000)
    try:
        yield page
    finally:
        page.close()
