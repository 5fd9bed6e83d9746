"""One headless Debian Chromium per test module, for the browser tests (test_browser.py, test_widget.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def browser():
    from tests.ui.test_browser import ARGS, CHROMIUM, playwright_api  # skips the module when Chromium is missing

    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()
