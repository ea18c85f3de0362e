"""The web app in a real headless Chromium: click from the overview to an actor's chart and to a signal.

Debian's ``chromium`` (``.ci/chromium.sh`` installs it) driven by Playwright
through ``executable_path``; ``playwright install`` is never run.  The app is
served by uvicorn on 127.0.0.1 on a free port, in a thread.  Without
chromium or Playwright these tests are skipped, except under CI=true where
they fail: CI must really run them.  Screenshots go to ``test-artifacts/`` and to ``$BACKCHANNEL_SCREENSHOTS``
when it is set; the browser and the server are started by ``browser_env`` (shared with other browser tests).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from browser_env import PHONE, horizontal_overflow, new_page, screenshot, serve
from test_web import HOSTILE_EVIDENCE, PRIVATE_OPENING, fill_store


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[tuple[str, dict[str, int]]]:
    """The app over a filled store, served by uvicorn in a thread; yields (base URL, signal ids)."""
    from backchannel.web import create_app

    path = tmp_path_factory.mktemp("web") / "browser.db"
    ids = fill_store(path)
    with serve(create_app(str(path), None)) as base:
        yield base, ids


@pytest.fixture
def page(browser):
    with new_page(browser) as opened:
        yield opened


def test_overview_to_actor_chart_to_highlighted_evidence(site, page):
    base, ids = site
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
    screenshot(page, "web-actor")

    page.locator("table.signals a", has_text=PRIVATE_OPENING).first.click()
    page.wait_for_url(f"**/signals/{ids['private']}")
    mark = page.locator("mark#evidence")
    assert mark.inner_text() == PRIVATE_OPENING
    assert mark.is_visible()
    background = mark.evaluate("m => getComputedStyle(m).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")  # the stylesheet loaded: it is highlighted
    assert page.locator("p.chain").inner_text() == "a senior Russian official → The New York Times"
    assert screenshot(page, "web-signal").stat().st_size > 10_000
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


def test_corroboration_page_shows_a_relayed_report_as_one_origin(site, page):
    base, ids = site
    page.goto(base + "/")
    page.get_by_role("link", name="Corroboration", exact=True).click()
    page.wait_for_url("**/corroboration")
    page.locator("input[name=actor]").fill("Vladimir Putin")
    page.locator("select[name=stance]").select_option("open")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/corroboration?*stance=open*")
    claim = page.locator("section.claim")
    assert claim.count() == 1
    assert claim.get_attribute("data-origins") == "1"
    assert claim.locator(".verdict").inner_text() == "Not corroborated."
    assert "Reported by 2 outlets in 2 articles" in claim.inner_text()
    links = claim.locator(".origins-list a")
    assert sorted(links.nth(i).get_attribute("href") for i in range(links.count())) == sorted(
        [f"/signals/{ids['private']}", f"/signals/{ids['echo']}"])
    screenshot(page, "web-corroboration")
    links.first.click()
    page.wait_for_url("**/signals/*")
    assert page.locator(".corroboration .verdict").inner_text() == "Not corroborated."
    assert page.dialogs == []


def test_search_pages_follow_the_cursor_without_duplicates_or_gaps(site, page):
    base, _ = site
    every = page.request.get(base + "/search.json").json()
    expected = [s["id"] for s in every["signals"]]
    page.goto(base + "/search?limit=2")
    seen, pages = [], 0
    while True:
        pages += 1
        rows = page.locator("table.signals tbody tr")
        seen += [int(rows.nth(i).get_attribute("data-signal")) for i in range(rows.count())]
        assert page.locator(".total").get_attribute("data-total") == str(len(expected))
        following = page.locator("nav.pager a.next")
        if following.count() == 0:
            break
        if pages == 2:
            screenshot(page, "web-search-page-2")
        following.click()
        page.wait_for_url("**cursor=*")
        assert page.locator("nav.pager a.first").count() == 1
    assert seen == expected and len(set(seen)) == len(seen)
    assert pages == 3


def test_every_page_fits_a_phone_width_without_horizontal_scroll(site, browser):
    base, ids = site
    with new_page(browser, viewport=PHONE) as phone:
        for name, path in [("overview", "/"), ("actor", "/actors/Vladimir%20Putin"),
                           ("signal", f"/signals/{ids['private']}"), ("search", "/search"),
                           ("corroboration", "/corroboration"), ("divergence", "/divergence"), ("docs", "/docs")]:
            phone.goto(base + path)
            assert phone.evaluate("window.innerWidth") == PHONE["width"]
            assert horizontal_overflow(phone) <= 0, f"{path} scrolls sideways at {PHONE['width']} px"
            if name in ("overview", "search", "signal"):
                screenshot(phone, f"web-phone-{name}")
        phone.goto(base + "/search")  # the stacked cards still name their columns
        first = phone.locator("table.signals tbody tr").first
        assert first.locator("td[data-label=evidence]").is_visible()
        label = first.locator("td[data-label=actor]").evaluate("td => getComputedStyle(td, '::before').content")
        assert label == '"actor"'
        chart_phone = phone.goto(base + "/actors/Vladimir%20Putin")
        assert chart_phone.ok and phone.locator("svg#timeline").bounding_box()["width"] <= PHONE["width"]
        assert phone.dialogs == []
