"""The correction form and the claim view in a real headless Chromium (see ``test_web_browser`` for the set-up).

Screenshots go to ``$BACKCHANNEL_SCREENSHOTS`` when it is set (the lead attaches them to the issue), and
nowhere otherwise.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from backchannel.cli.export import export_annotations
from backchannel.store import open_store
from test_web import ECHO, PRIVATE_OPENING, TOKEN, fill_store
from test_web_browser import browser, page, serving  # noqa: F401 (fixtures)


def screenshot(page, name: str) -> None:  # noqa: F811 (the page fixture is a parameter here)
    folder = os.environ.get("BACKCHANNEL_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=True)


@pytest.fixture
def writable_site(tmp_path) -> Iterator[tuple[str, str, dict[str, int]]]:
    from backchannel.web import create_app

    path = tmp_path / "browser-writes.db"
    ids = fill_store(path)
    with serving(create_app(str(path), TOKEN)) as base:
        yield base, str(path), ids


def test_the_correction_form_marks_the_signal_corrected_and_it_exports_as_an_annotation(
        writable_site, page, tmp_path):  # noqa: F811
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
    screenshot(page, "correction-form.png")

    with open_store(db) as store:
        written, skipped = export_annotations(store, tmp_path / "annotations")
    assert (written, skipped) == (1, [])
    (path,) = (tmp_path / "annotations").glob("abp-*.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert [(s["actor"], s["stance"]) for s in data["signals"]] == [("Vladimir Putin", "refuses")]
    assert data["annotators"] == ["ana"] and PRIVATE_OPENING not in path.read_text(encoding="utf-8")


def test_the_claim_view_expands_to_its_reports(writable_site, page):  # noqa: F811
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
    screenshot(page, "claims-list.png")
    claim.locator("a.claim-link").click()
    page.wait_for_url(f"**/claims/{ids['private']}")
    summary = " ".join(page.locator("#claim-summary").inner_text().split())
    assert summary.startswith("Reported by 2 outlets, 1 independent origin") and "Not corroborated." in summary
    assert {t.strip() for t in page.locator("td.ev a").all_inner_texts()} == {PRIVATE_OPENING, ECHO}
    assert page.dialogs == []
    screenshot(page, "claim-view.png")
