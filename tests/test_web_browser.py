"""The web app in a real headless Chromium: click from the overview to an actor's chart and to a signal.

Debian's ``chromium`` (``.ci/chromium.sh`` installs it) driven by Playwright
through ``executable_path``; ``playwright install`` is never run.  The app is
served by uvicorn on 127.0.0.1 on a free port, in a thread.  Without
chromium or Playwright these tests are skipped, except under CI=true where
they fail: CI must really run them.  Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from test_web import HOSTILE_EVIDENCE, PRIVATE_OPENING, fill_store

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--no-first-run", "--disable-sync"]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: the browser tests must run; install chromium with .ci/chromium.sh)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing; install it with .ci/chromium.sh")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (pip install playwright; no `playwright install`)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def serving(app) -> Iterator[str]:
    """``app`` served by uvicorn on 127.0.0.1 in a thread; yields its base URL."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))  # bound here and handed over: no race for the port
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[tuple[str, dict[str, int]]]:
    """The app over a filled store, served by uvicorn in a thread; yields (base URL, signal ids)."""
    from backchannel.web import create_app

    path = tmp_path_factory.mktemp("web") / "browser.db"
    ids = fill_store(path)
    with serving(create_app(str(path), None)) as base:
        yield base, ids


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.dialogs = []  # any alert() would land here: hostile text must never run
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()


def test_overview_to_actor_chart_to_highlighted_evidence(site, page):
    base, ids = site
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(base + "/")
    assert page.title().startswith("Overview")
    page.get_by_role("link", name="Vladimir Putin", exact=True).first.click()
    page.wait_for_url("**/actors/Vladimir%20Putin")

    chart = page.locator("svg#timeline")
    chart.wait_for()
    points = chart.locator("circle.point")
    assert points.count() == 2
    for i in range(points.count()):  # really drawn: laid out inside the chart with a size
        box, frame = points.nth(i).bounding_box(), chart.bounding_box()
        assert box and box["width"] > 4 and box["height"] > 4
        assert frame["x"] <= box["x"] <= frame["x"] + frame["width"]
    assert {points.nth(i).get_attribute("data-stance") for i in range(2)} == {"open", "refuses"}
    page.screenshot(path=str(ARTIFACTS / "web-actor.png"), full_page=True)

    page.locator("table.signals a", has_text=PRIVATE_OPENING).first.click()
    page.wait_for_url(f"**/signals/{ids['private']}")
    mark = page.locator("mark#evidence")
    assert mark.inner_text() == PRIVATE_OPENING
    assert mark.is_visible()
    background = mark.evaluate("m => getComputedStyle(m).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")  # the stylesheet loaded: it is highlighted
    assert page.locator("p.chain").inner_text() == "a senior Russian official → The New York Times"
    page.screenshot(path=str(ARTIFACTS / "web-signal.png"), full_page=True)
    assert (ARTIFACTS / "web-signal.png").stat().st_size > 10_000
    assert page.dialogs == []


def test_hostile_text_never_runs_in_the_browser(site, page):
    base, ids = site
    page.goto(f"{base}/signals/{ids['hostile']}")
    assert page.locator("mark#evidence").inner_text() == HOSTILE_EVIDENCE
    assert page.locator("section.article img, section.article script").count() == 0
    page.goto(base + '/search?outlet="><img src=x onerror=alert(1)>&topic=deal')
    page.goto(base + "/search?topic=deal")
    assert page.locator("table.signals tbody tr").count() == 1
    assert page.locator("main img, main script").count() == 0
    page.wait_for_timeout(200)
    assert page.dialogs == []
