"""Drive the system Chromium with playwright, offline, for the browser tests.

The tests never download a browser: they use Debian's ``chromium`` (``.ci/run``
installs it) or the binary named by ``RNN_COURSE_CHROMIUM``, and skip with the
reason when there is none. The flags keep Chromium from phoning home: this
machine's network is closed, and without them Chromium waits on connections
that never open.
"""

from __future__ import annotations

import contextlib
import os
import shutil

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-sync",
    "--disable-translate",
    "--metrics-recording-only",
    "--no-default-browser-check",
    "--no-first-run",
    "--mute-audio",
]
#: URL schemes that stay on this machine
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


def chromium_path() -> str | None:
    """The Chromium binary to drive, or None."""
    explicit = os.environ.get("RNN_COURSE_CHROMIUM")
    if explicit:
        return explicit if os.path.exists(explicit) else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def require_browser():
    """(sync_playwright, chromium path), or skip the test saying what is missing."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip('the playwright package is not installed (pip install -e ".[dev]")')
    path = chromium_path()
    if path is None:
        pytest.skip("no Chromium on this machine: install Debian's `chromium` (apt-get install chromium) or set "
                    "RNN_COURSE_CHROMIUM; the browser tests never download a browser")
    return sync_playwright, path


@contextlib.contextmanager
def launch():
    """A headless Chromium (playwright Browser) for the duration of the block."""
    sync_playwright, path = require_browser()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class RequestLog:
    """Blocks and records every request that would leave the machine (only ``allowed_prefixes`` pass)."""

    def __init__(self, context, allowed_prefixes=LOCAL_SCHEMES):
        self.allowed = tuple(allowed_prefixes)
        self.local: list[str] = []
        self.blocked: list[str] = []
        context.route("**/*", self._route)

    def _route(self, route):
        url = route.request.url
        if url.startswith(self.allowed):
            self.local.append(url)
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()


class OffMachineRequests:
    """Records (without blocking or slowing) every request to a URL outside ``allowed_prefixes``.

    Use this rather than ``RequestLog`` for a page that makes hundreds of requests: routing sends
    each through Python, and the sync API only serves routes while Python waits on playwright.
    """

    def __init__(self, context, allowed_prefixes):
        self.allowed = tuple(allowed_prefixes)
        self.urls: list[str] = []
        context.on("request", lambda request: None if request.url.startswith(self.allowed)
                   else self.urls.append(request.url))


class ConsoleLog:
    """Collects a page's console errors and uncaught exceptions."""

    def __init__(self, page):
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
