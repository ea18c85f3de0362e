"""The edge cleaning, the structure budgets and the parse guard, in process (the CLI runs are test_hostile)."""

from __future__ import annotations

import time

import pytest

import hostile_corpus as hc
from backchannel.errors import InputError
from backchannel.nlp.guard import MAX_PARAGRAPH_CHARS, MAX_PARSE_CHARS, parse_text
from backchannel.read.budget import MAX_HTML_DEPTH, MAX_JSON_DEPTH, check_json, check_markup, load_json
from backchannel.read.clean import clean_field, clean_text, drop_control_references, make_article
from backchannel.read.html import article_from_html
from backchannel.read.sources import iter_source, iter_url
from backchannel.read.web import Response
from backchannel.records import Article

# --- cleaning ----------------------------------------------------------------------------------------


def test_clean_text_replaces_surrogates_drops_controls_keeps_newlines_and_tabs():
    assert clean_text("a\ud800b\udc00") == "a\ufffdb\ufffd"
    assert clean_text("a\x00b\x1b[31mc\x7fd\x85e\tf\ng") == "ab[31mcde\tf\ng"
    assert clean_text("one\r\ntwo\rthree\x0cfour\x0bfive") == "one\ntwo\nthree\nfour\nfive"
    assert clean_text("Cafe\u0301") == "Caf\u00e9"  # NFC
    assert clean_text("Ha\u200bmas \u202eRTL\u202c") == "Ha\u200bmas \u202eRTL\u202c"  # format chars stay


def test_clean_text_leaves_ordinary_text_as_it_is():
    text = "“We are ready,” Hamas said — in Cairo.\n\n\tIndented."
    assert clean_text(text) is text


def test_metadata_is_cleaned_and_collapsed_and_the_text_budget_is_ours():
    assert clean_field("  Red\x1b[0m \n title\ud800 ") == "Red[0m title\ufffd"
    article = make_article("Hamas\x00 said.", source="s", title="T\x07", url="http://x/\udc80")
    assert article == Article(text="Hamas said.", title="T", url="http://x/\ufffd", source="s")
    with pytest.raises(InputError, match="empty document"):
        make_article("\x00\x01\x02", source="s")
    with pytest.raises(InputError, match=r"article text too long \(1,000,001 characters"):
        make_article("x" * 1_000_001, source="s")


def test_a_reference_to_a_control_character_no_longer_sinks_a_page():
    """One ``&#1;`` made lxml drop the whole page ("no article text found"); such references are dropped."""
    assert drop_control_references("a&#12345;b&#1;c&#x1F;d&#x1F600;e&#65535;f&#31g&#013;h&#9;") == \
        "a&#12345;bcd&#x1F600;efg&#013;h&#9;"
    page = ("<html><head><title>T&#7;</title></head><body><article><p>Ha&#1;mas said on Monday that it was ready "
            "for talks on a ceasefire, officials in Cairo said.</p><p>Mediators in Doha urged Israel to accept "
            "a truce deal, a spokesman said on Tuesday.</p></article></body></html>")
    article = article_from_html(page, source="p.html")
    assert article.text.startswith("Hamas said") and article.title == "T"


# --- structure budgets -------------------------------------------------------------------------------


def refused(check, text: str) -> str:
    with pytest.raises(InputError) as info:
        check(text, "doc")
    return info.value.reason


def test_markup_depth_counts_only_elements_that_nest():
    check_markup("<div>" * MAX_HTML_DEPTH + "</div>" * MAX_HTML_DEPTH, "doc")
    assert "nested too deeply" in refused(check_markup, "<div>" * (MAX_HTML_DEPTH + 1))
    # old pages that never close <p>, <li> or <td>, void elements, and code in scripts are not depth
    check_markup("<p>para" * 5_000 + "<li>item" * 5_000 + "<br><img src=x>" * 5_000, "doc")
    check_markup("<script>" + "for(i=0;i<n;i++){a<b}" * 2_000 + "</script>" + "<span></span>" * 10, "doc")


def test_markup_element_and_attribute_budgets_and_entities():
    assert "too many elements" in refused(check_markup, "<b>x</b>" * 100_001)
    assert "too many attributes on one <p>" in refused(check_markup, "<p " + " ".join(f"a{i}=1" for i in range(257)))
    many = "<i " + " ".join(f"a{i}=1" for i in range(200)) + "></i>"
    assert "too many attributes (more than 500,000)" in refused(check_markup, many * 2_501)
    assert "declares XML entities" in refused(check_markup, '<!DOCTYPE x [<!ENTITY a "b">]><x/>')


def test_markup_scan_is_linear_on_unclosed_tags():
    started = time.perf_counter()
    with pytest.raises(InputError):
        check_markup("<a" * 1_000_000, "doc")
    assert time.perf_counter() - started < 5  # quadratic would be hours; generous for a busy machine


def test_json_budgets_ignore_brackets_inside_strings():
    inner = MAX_JSON_DEPTH - 1  # inside the record's own object
    check_json('{"text": "' + "[" * 10_000 + '", "a": ' + "[" * inner + "]" * inner + "}", "doc")
    assert "nested too deeply" in refused(check_json, "[" * (MAX_JSON_DEPTH + 1))
    assert "more than 100,000" in refused(check_json, "[" + ",".join(['"a"'] * 100_001) + "]")
    assert refused(load_json, '{"text": "a",}') == "invalid JSON at line 1, column 14: Expecting property name " \
                                                  "enclosed in double quotes"


# --- the parse guard ---------------------------------------------------------------------------------


def test_ordinary_text_is_parsed_whole():
    text = "Hamas said it was ready. https://news.example/a/path?x=1\n\n" * 50
    assert parse_text(text).text is text and parse_text(text).skipped_chars == 0


def test_long_words_paragraphs_and_articles_are_cut_with_offsets_kept():
    word = "[" * 150
    text = f"Hamas said {word} it was ready."
    cut = parse_text(text)
    assert cut.text == text.replace(word, " " * 150) and cut.skipped_chars == 150
    assert len(cut.text) == len(text)

    paragraph = "talks went on " * 3_000  # 42,000 characters on one line
    text = "Headline\n" + paragraph + "\nLast line."
    cut = parse_text(text)
    assert len(cut.text) == len(text)
    assert cut.text.startswith("Headline\n" + paragraph[:MAX_PARAGRAPH_CHARS])
    assert cut.text.endswith(" " * 100 + "\nLast line.")
    assert cut.skipped_chars == len(paragraph) - MAX_PARAGRAPH_CHARS

    text = ("Officials said the talks went on.\n" * 10_000)[: MAX_PARSE_CHARS + 500]
    cut = parse_text(text)
    assert cut.text == text[:MAX_PARSE_CHARS] and cut.skipped_chars == 500


def test_a_cut_word_inside_a_signal_sentence_keeps_the_evidence_exact(extract):
    junk = "%" * 300
    text = f"Hamas said on Monday that it was ready for a ceasefire {junk} in Gaza, officials said."
    result = extract(text)
    assert result.skipped_chars == 300
    assert result.signals
    for signal in result.signals:
        start, end = signal.evidence_span
        assert text[start:end] == signal.evidence


# --- one behaviour in every path ---------------------------------------------------------------------


class _Serve:
    """A fetcher that serves one fixed response (the web ingest endpoint's path, without a network)."""

    def __init__(self, response: Response) -> None:
        self.response = response

    def fetch(self, url: str) -> Response:
        return self.response


@pytest.mark.parametrize(("body", "media", "reason"), [
    (b"[" * 50_000, "application/json", "JSON nested too deeply (more than 64 levels)"),
    (b"<html><body>" + b"<div>" * 50_000, "text/html", "elements nested too deeply (more than 512 levels)"),
])
def test_the_same_bomb_gives_the_same_line_in_ingest_spark_and_the_web_path(tmp_path, body, media, reason):
    from backchannel.jobs import spark_job

    suffix = ".jsonl" if media == "application/json" else ".html"
    path = tmp_path / f"bomb{suffix}"
    path.write_bytes(body + b"\n")
    (local,) = iter_source(str(path))
    assert isinstance(local, InputError) and local.reason == reason
    url = "https://news.example/bomb"
    (fetched,) = iter_url(url, fetcher=_Serve(Response(url, 200, media, None, body)))  # type: ignore[arg-type]
    assert isinstance(fetched, InputError) and fetched.reason == reason
    if media == "application/json":
        (spark,) = spark_job._parse_lines([(str(path), 1, body)])
        assert isinstance(spark, InputError) and spark.reason == reason and spark.source == local.source


@pytest.mark.parametrize("cut", [0.02, 0.12, 0.26, 0.5, 0.9, 0.98])
def test_a_gzip_warc_cut_anywhere_in_its_last_record_ends_with_one_error(tmp_path, cut: float):
    """warcio read a member cut inside its header as a record of its own, and said nothing."""
    doc = hc.warc_truncated(7, cut)
    path = tmp_path / doc.name
    path.write_bytes(doc.data)
    out = list(iter_source(str(path)))
    assert [type(item).__name__ for item in out] == ["Article", "InputError"], out
    assert out[1].reason == "truncated WARC record (the file ends inside it)"
