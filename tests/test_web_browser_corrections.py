"""The correction form and the claim view in a real headless Chromium (see ``test_web_browser`` for the set-up).

Screenshots go where ``browser_env.screenshot`` puts them: ``test-artifacts/`` and ``$BACKCHANNEL_SCREENSHOTS``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from backchannel.export import export_annotations
from backchannel.store import open_store
from browser_env import new_page, screenshot, serve
from test_web import ECHO, PRIVATE_OPENING, TOKEN, fill_store


@pytest.fixture
def page(browser):
    with new_page(browser) as opened:
        yield opened


@pytest.fixture
def writable_site(tmp_path) -> Iterator[tuple[str, str, dict[str, int]]]:
    from backchannel.web import create_app

    path = tmp_path / "browser-writes.db"
    ids = fill_store(path)
    with serve(create_app(str(path), TOKEN)) as base:
        yield base, str(path), ids


def test_the_correction_form_marks_the_signal_corrected_and_it_exports_as_an_annotation(
        writable_site, page, tmp_path):
    base, db, ids = writable_site
    sid = ids["private"]
    page.goto(f"{base}/signals/{sid}")
    form = page.locator("form.correction").first
    form.locator('select[name="stance"]').select_option("refuses")
    form.locator('input[name="by"]').fill("ana")
    form.locator('input[name="note"]').fill("the official describes a refusal")
    form.locator('input[name="token"]').fill(TOKEN)
    form.locator('button[type="submit"]').click()
    page.wait_for_url(f"**/signals/{sid}#corrected")
    banner = page.locator("#corrected")
    assert banner.is_visible()
    assert "stance was open, now refuses" in " ".join(banner.inner_text().split())
    assert "ana" in page.locator("section.corrections").inner_text()
    assert page.dialogs == []
    screenshot(page, "correction-form")

    with open_store(db) as store:
        written, skipped = export_annotations(store, tmp_path / "annotations")
    assert (written, skipped) == (1, [])
    (path,) = (tmp_path / "annotations").glob("abp-*.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert [(s["actor"], s["stance"]) for s in data["signals"]] == [("Vladimir Putin", "refuses")]
    assert data["annotators"] == ["ana"] and PRIVATE_OPENING not in path.read_text(encoding="utf-8")


def test_the_claim_view_expands_to_its_reports(writable_site, page):
    base, _, ids = writable_site
    page.goto(f"{base}/search?actor=Vladimir%20Putin")
    page.locator("a.claims-link").click()
    page.wait_for_url("**/claims?actor=Vladimir+Putin")
    claim = page.locator(f'li.claim[data-claim="{ids["private"]}"]')
    assert claim.get_attribute("data-outlets") == "2" and claim.get_attribute("data-origins") == "1"
    reports = claim.locator("details.reports")
    assert not reports.locator("table").is_visible()
    reports.locator("summary").click()
    assert reports.locator("tbody tr").count() == 2 and reports.locator("table").is_visible()
    screenshot(page, "claims-list")
    claim.locator("a.claim-link").click()
    page.wait_for_url(f"**/claims/{ids['private']}")
    summary = " ".join(page.locator("#claim-summary").inner_text().split())
    assert summary.startswith("Reported by 2 outlets, 1 independent origin") and "Not corroborated." in summary
    assert {t.strip() for t in page.locator("td.ev a").all_inner_texts()} == {PRIVATE_OPENING, ECHO}
    assert page.dialogs == []
    screenshot(page, "claim-view")
