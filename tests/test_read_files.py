"""The file readers: every supported format in, one ``Article`` out; every bad file, one-line ``InputError``."""

from __future__ import annotations

import builtins
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backchannel.errors import InputError
from backchannel.read import MAX_BYTES, article_from_html, article_from_mapping, read_path
from backchannel.read import html as html_reader
from backchannel.read.clean import MAX_TEXT_CHARS
from backchannel.records import Article

FIXTURES = Path(__file__).parent / "fixtures" / "read"


def refused(path: Path | str, **kwargs: str) -> InputError:
    """Read ``path`` expecting refusal; check the message is one line that names the file."""
    with pytest.raises(InputError) as info:
        read_path(path, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    assert info.value.source == str(path)
    return info.value


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_bytes(data.encode("utf-8"))
    else:
        path.write_bytes(data)
    return path


# --- happy paths -------------------------------------------------------------------------------------


def test_plain_text_is_kept_exactly_with_headline_as_title() -> None:
    path = FIXTURES / "ceasefire_wire.txt"
    article = read_path(path)
    assert article.text == path.read_text(encoding="utf-8")
    assert article.title == "Mediators push for a 30-day ceasefire"
    assert article.source == str(path)
    assert (article.published, article.outlet, article.author, article.url) == ("", "", "", "")
    assert "“ready to host”" in article.text
    assert "Erdoğan" in article.text and "Zelenskyy" in article.text


def test_markdown_title_loses_heading_mark_but_text_keeps_it() -> None:
    article = read_path(FIXTURES / "istanbul_talks.md")
    assert article.title == "Delegations arrive in Istanbul"
    assert article.text.startswith("# Delegations arrive in Istanbul\n\n")
    assert "Russia’s foreign ministry" in article.text


def test_html_text_and_metadata() -> None:
    article = read_path(FIXTURES / "kyiv_talks.html")
    assert article.title == "Kyiv signals it is open to talks"
    assert article.outlet == "The Daily Ledger"
    assert article.author == "Jane Doe"
    assert article.published == "2024-03-05"
    assert article.url == "https://ledger.example.com/world/kyiv-talks"
    paragraphs = article.text.split("\n\n")
    assert paragraphs[1].startswith("President Volodymyr Zelenskyy said on Tuesday")
    assert (
        paragraphs[-1]
        == "The Kremlin rejected the proposal. “There is nothing to discuss,” spokesman Dmitry Peskov told reporters in Moscow."
    )
    assert "Erdoğan" in article.text
    # navigation and footer are not article text
    assert "Opinion" not in article.text
    assert "rights reserved" not in article.text


def test_json_article_fields_and_date_normalised() -> None:
    article = read_path(FIXTURES / "gaza_plan.json")
    assert article == Article(
        text="Qatar and Egypt presented a phased plan on Thursday, officials said.\n\n"
        "“We accept the framework,” a Hamas official told the paper.",
        title="Mediators table a phased Gaza plan",
        outlet="The Harbour Times",
        author="Sam Rivera",
        published="2024-02-01",
        url="https://harbour.example.org/gaza-plan",
        source=str(FIXTURES / "gaza_plan.json"),
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2024-02-01", "2024-02-01"),
        ("2024-02", "2024-02"),
        ("2024-02-01T10:00:00Z", "2024-02-01"),
        ("2024-02-01T23:30:00-05:00", "2024-02-01"),
        ("1 February 2024", "2024-02-01"),
        ("February 1, 2024", "2024-02-01"),
        ("Thu, 01 Feb 2024 10:00:00 +0000", "2024-02-01"),
        ("February 2024", "2024-02"),
        ("1/21/18", "2018-01-21"),
        ("21/1/2018", "2018-01-21"),
        ("12/31/99", "1999-12-31"),
        ("3/3/2020", "2020-03-03"),
        (None, ""),
        ("", ""),
    ],
)
def test_mapping_published_forms(given: str | None, expected: str) -> None:
    article = article_from_mapping({"text": "Talks resumed.", "published": given}, source="feed.jsonl:3")
    assert article.published == expected
    assert article.source == "feed.jsonl:3"


@pytest.mark.parametrize("value", ["01/02/2024", "2/30/2024", "13/13/18", "2024-02-30", "2024", "last spring"])
def test_mapping_refuses_unparseable_or_ambiguous_dates(value: str) -> None:
    with pytest.raises(InputError, match="field 'published' is not a date"):
        article_from_mapping({"text": "Talks resumed.", "published": value}, source="x.json")


# --- dispatch ----------------------------------------------------------------------------------------


def test_suffix_is_case_insensitive(tmp_path: Path) -> None:
    page = (FIXTURES / "kyiv_talks.html").read_bytes()
    article = read_path(write(tmp_path, "SAVED.HTM", page))
    assert article.outlet == "The Daily Ledger"
    assert "<p>" not in article.text


@pytest.mark.parametrize(
    ("fixture", "check"),
    [
        ("kyiv_talks.html", lambda a: a.outlet == "The Daily Ledger" and "<article>" not in a.text),
        ("gaza_plan.json", lambda a: a.author == "Sam Rivera" and not a.text.startswith("{")),
        ("ceasefire_wire.txt", lambda a: a.text.startswith("Mediators push")),
    ],
)
def test_unknown_suffix_is_sniffed(tmp_path: Path, fixture: str, check) -> None:
    article = read_path(write(tmp_path, "download.dat", (FIXTURES / fixture).read_bytes()))
    assert check(article)


def test_text_that_mentions_html_is_still_text(tmp_path: Path) -> None:
    path = write(tmp_path, "notes", "<b> is bold in html, said the style guide.\nSecond line.\n")
    assert read_path(path).text.startswith("<b> is bold")


def test_json_suffix_with_a_list_is_refused_clearly() -> None:
    error = refused(FIXTURES / "two_articles.json")
    assert error.reason == "expected one article object, found a list"


# --- bad inputs --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "reason"),
    [
        ("nav_only.html", "no article text found in the HTML"),
        ("empty_body.html", "no article text found in the HTML"),
        ("no_text.json", "field 'text' is missing"),
        ("numeric_title.json", "field 'title' must be a string, found a number"),
        (
            "bad_date.json",
            "field 'published' is not a date: 'sometime last spring' (use YYYY-MM-DD or YYYY-MM)",
        ),
        ("broken.json", "invalid JSON at line 4, column 3: Expecting ',' delimiter"),
    ],
)
def test_bad_fixture_files(fixture: str, reason: str) -> None:
    assert refused(FIXTURES / fixture).reason == reason


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty document"),
        ("blank.md", b"  \n\t\r\n  ", "empty document"),
        ("blank.html", b"\n\n", "empty document"),
        ("blank.json", b"   ", "empty document"),
        (
            "latin1.txt",
            b"Talks in Z\xfcrich\n",
            "not valid UTF-8 (byte 0xfc at offset 10); convert the file to UTF-8",
        ),
        ("bom.txt", b"\xef\xbb\xbfTalks in Z\xfcrich\n", "not valid UTF-8 (byte 0xfc at offset 13)"),
        ("nul.txt", b"Talks\x00\x00\x00resume", "binary file, not text"),
        ("controls.txt", bytes(range(1, 9)) * 20 + b"some text", "binary file, not text"),
        ("report.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "binary file, not text (looks like a PDF)"),
        ("image.html", b"\x89PNG\r\n\x1a\n\x00\x00", "binary file, not text"),
        ("empty_text.json", b'{"text": "  "}', "field 'text' must be a non-empty string"),
        ("number_text.json", b'{"text": 7}', "field 'text' must be a non-empty string"),
        ("string.json", b'"just a string"', "expected one article object, found a string"),
        ("list_author.json", b'{"text": "Talks.", "author": ["A", "B"]}', "field 'author' must be a string"),
        ("plain.html", b"Just a sentence, no markup at all.", "no article text found in the HTML"),
    ],
)
def test_bad_bytes(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    assert refused(write(tmp_path, name, data)).reason.startswith(reason)


def test_missing_file(tmp_path: Path) -> None:
    assert refused(tmp_path / "nowhere.txt").reason == "no such file"


def test_directory(tmp_path: Path) -> None:
    assert refused(tmp_path).reason == "is a directory"


def test_twenty_megabytes_refused_from_stat_without_opening(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "dump.txt"
    with path.open("wb") as handle:
        handle.truncate(20 * 1024 * 1024)  # sparse: no 20 MB write needed

    def no_open(*args, **kwargs):
        raise AssertionError("a file over the limit must be refused before it is opened")

    monkeypatch.setattr(builtins, "open", no_open)
    started = time.perf_counter()
    error = refused(path)
    assert time.perf_counter() - started < 1.0
    assert error.reason == "too large (20.0 MB > 10 MB limit)"


def test_file_at_the_byte_limit_meets_the_text_budget(tmp_path: Path) -> None:
    """Under the 10 MB byte limit, a text of more than a million characters is refused by our own line
    (not spaCy's E088); a text of exactly the budget is read whole."""
    line = "Officials said talks would resume.\n"
    body = line * (MAX_BYTES // len(line))
    error = refused(write(tmp_path, "big.txt", body))
    assert error.reason == f"article text too long ({len(body):,} characters > the 1,000,000-character limit)"
    body = (line * (MAX_TEXT_CHARS // len(line) + 1))[:MAX_TEXT_CHARS]
    article = read_path(write(tmp_path, "at-limit.txt", body))
    assert article.text == body


def test_unparseable_published_override_is_refused() -> None:
    error = refused(FIXTURES / "ceasefire_wire.txt", published="next week")
    assert "published date override is not a date" in error.reason


# --- overrides ---------------------------------------------------------------------------------------


def test_overrides_replace_document_metadata() -> None:
    article = read_path(FIXTURES / "kyiv_talks.html", published="5 April 2024", outlet="  Ledger Wire ")
    assert article.published == "2024-04-05"
    assert article.outlet == "Ledger Wire"
    assert article.author == "Jane Doe"  # untouched


def test_overrides_fill_plain_text_metadata() -> None:
    article = read_path(FIXTURES / "ceasefire_wire.txt", published="2024-05", outlet="Agency Wire")
    assert (article.published, article.outlet) == ("2024-05", "Agency Wire")


def test_empty_overrides_keep_document_metadata() -> None:
    article = read_path(FIXTURES / "gaza_plan.json", published="", outlet="")
    assert (article.published, article.outlet) == ("2024-02-01", "The Harbour Times")


# --- text details ------------------------------------------------------------------------------------


def test_newlines_normalised_without_shifting_anything_else(tmp_path: Path) -> None:
    lines = ["Truce talks resume", "", "Erdoğan said “talks” would resume.", "Zelenskyy agreed.\t(AP)", ""]
    path = write(
        tmp_path,
        "mixed.txt",
        b"\xef\xbb\xbf" + "\r\n".join(lines[:3]).encode() + b"\r" + "\n".join(lines[3:]).encode(),
    )
    article = read_path(path)
    assert article.text == "\n".join(lines)
    assert "\r" not in article.text and "\ufeff" not in article.text
    # character offsets computed line by line agree with offsets into the whole text
    start = article.text.index("“talks”")
    assert article.text[start : start + 7] == "“talks”"
    assert article.text.split("\n")[2].index("“talks”") == start - len(lines[0]) - len(lines[1]) - 2


def test_utf16_with_bom_is_decoded(tmp_path: Path) -> None:
    text = "Erdoğan hosts talks\r\n\r\nZelenskyy said “yes”.\r\n"
    article = read_path(write(tmp_path, "notepad.txt", text.encode("utf-16")))
    assert article.text == "Erdoğan hosts talks\n\nZelenskyy said “yes”.\n"
    assert article.title == "Erdoğan hosts talks"


@pytest.mark.parametrize(
    ("content", "title"),
    [
        ("Only one line of text here.\n", ""),
        ("\n\n  Headline after blank lines  \nBody text.\n", "Headline after blank lines"),
        ("x" * 250 + "\nBody text.\n", ""),
    ],
)
def test_text_title_rules(tmp_path: Path, content: str, title: str) -> None:
    assert read_path(write(tmp_path, "a.txt", content)).title == title


def test_markdown_front_matter_is_not_the_title(tmp_path: Path) -> None:
    content = "---\nlayout: post\n---\n## Ceasefire holds ##\n\nBody text.\n"
    article = read_path(write(tmp_path, "post.markdown", content))
    assert article.title == "Ceasefire holds"
    assert article.text == content


# --- HTML details ------------------------------------------------------------------------------------

_PARAGRAPH = (
    "Officials said on Monday that the negotiators would meet again in Geneva next week to discuss a truce. "
)


def test_declared_windows_1252_charset_decodes_curly_quotes() -> None:
    page = (
        '<html><head><meta charset="iso-8859-1"><title>Truce</title></head><body><article>'
        "<p>\x93We are ready,\x94 the envoy said. " + _PARAGRAPH * 3 + "</p></article></body></html>"
    ).encode("latin-1")
    article = article_from_html(page, source="page.html")
    assert article.text.startswith("“We are ready,” the envoy said.")


def test_caller_url_wins_over_canonical() -> None:
    page = (FIXTURES / "kyiv_talks.html").read_text(encoding="utf-8")
    article = article_from_html(page, source="feed", url="https://feed.example.net/item/7")
    assert article.url == "https://feed.example.net/item/7"
    assert article.source == "feed"


def test_meta_tags_fill_what_trafilatura_misses(monkeypatch) -> None:
    real = html_reader.trafilatura.bare_extraction

    def forgetful(*args, **kwargs):
        doc = real(*args, **kwargs)
        doc.date = doc.sitename = doc.author = None
        return doc

    monkeypatch.setattr(html_reader.trafilatura, "bare_extraction", forgetful)
    article = read_path(FIXTURES / "kyiv_talks.html")
    assert (article.published, article.outlet, article.author) == (
        "2024-03-05",
        "The Daily Ledger",
        "Jane Doe",
    )


def test_footer_copyright_year_is_not_a_publication_date() -> None:
    page = (
        "<html><body><article><p>"
        + _PARAGRAPH * 3
        + "</p></article><footer>© 2023 Ledger</footer></body></html>"
    )
    assert article_from_html(page, source="p.html").published == ""


# --- robustness --------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.one_of(
        st.binary(max_size=300),
        st.text(max_size=300).map(lambda s: s.encode("utf-8", "surrogatepass")),
        # fragments of the formats, so the HTML and JSON paths get malformed input too
        st.lists(
            st.sampled_from(
                [
                    "<html>",
                    "<body>",
                    "<p>",
                    "</p>",
                    "<a href='/'>",
                    "</a>",
                    "<meta charset='x-bogus'>",
                    "{",
                    "}",
                    '"text":',
                    '"published":',
                    '"1 Smarch 2024"',
                    "[",
                    "]",
                    ",",
                    "null",
                    "7",
                    "“Talks”, Erdoğan said.",
                    "\r",
                    "\x00",
                    "\ufeff",
                ]
            ),
            max_size=40,
        ).map(lambda parts: "".join(parts).encode("utf-8")),
    ),
    suffix=st.sampled_from([".txt", ".md", ".html", ".json", ""]),
)
def test_any_bytes_give_an_article_or_an_input_error(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = write(tmp_path, "fuzz" + suffix, data)
    try:
        article = read_path(path)
    except InputError as error:
        assert "\n" not in str(error)
    else:
        assert article.text.strip()


def test_plain_text_takes_its_date_from_a_dateline(tmp_path):
    from backchannel.read import read_path

    path = tmp_path / "wire.txt"
    path.write_text("Truce talks resume\n\nJERUSALEM, Oct. 10, 2025 - Talks resumed on Friday.\n", encoding="utf-8")
    assert read_path(path).published == "2025-10-10"
    path.write_text("Truce talks resume\n\nTalks resumed on Friday in Cairo, officials said.\n", encoding="utf-8")
    assert read_path(path).published == ""
