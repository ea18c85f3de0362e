"""The scoring rules of docs/SCHEMA.md ("Scoring"), gold directories, micro-averaging and floors.

Expected numbers in the cross-check tests were worked out by hand from the
reference scorer's rules; they pin our implementation to the same figures.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from backchannel.errors import BackchannelError
from backchannel.evaluation.scoring import (
    ArticleScore,
    EvalReport,
    FieldScores,
    GoldDirError,
    alias_match,
    check_floors,
    evaluate,
    format_report,
    load_gold_dir,
    pinpoints,
    same_source,
    score_article,
)

REPO = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------- fixtures


def gsig(sid: str, actor: str, stance: str, evidence: str, *, aliases: tuple[str, ...] = (),
         alt: tuple[str, ...] = (), channel: str = "public", when: str = "",
         sources: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"id": sid, "actor": actor, "aliases": list(aliases), "stance": stance, "topic": "talks",
            "channel": channel, "terms": [], "when": when, "sources": list(sources),
            "evidence": evidence, "evidence_alt": list(alt)}


def psig(actor: str, stance: str, evidence: str, *, channel: str = "public", when: str = "",
         sources: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"actor": actor, "stance": stance, "topic": "talks", "channel": channel, "terms": [],
            "when": when, "sources": list(sources), "evidence": evidence}


def gatt(speaker: str, content: str, aliases: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"id": "a", "speaker": speaker, "aliases": list(aliases), "speaker_kind": "named",
            "cue": "said", "content": content, "kind": "indirect", "via": []}


def patt(speaker: str, content: str) -> dict[str, Any]:
    return {"speaker": speaker, "speaker_kind": "named", "cue": "said", "content": content,
            "kind": "indirect", "via": []}


def gold_doc(signals: list[dict[str, Any]], attributions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"article": {"file": "article.json"}, "signals": signals, "attributions": attributions or []}


def sig_scores(gold: dict[str, Any], preds: list[dict[str, Any]]) -> dict[str, Any]:
    return score_article(gold, preds, [])["signals"]


READY = "Russia is ready for talks with Ukraine"
ONE_RUSSIA = gold_doc([gsig("s1", "Russia", "open", READY, aliases=("Moscow", "Kremlin"))])


# --------------------------------------------------------------------------- actor

@pytest.mark.parametrize(("aliases", "predicted", "expected"), [
    (["Zelenskyy"], "Volodymyr Zelenskyy", True),
    (["Zelenskyy"], "ZELENSKYY", True),
    (["Zelenskyy"], "Zelénskyy", True),           # accents ignored
    (["Volodymyr Zelenskyy"], "President Volodymyr Zelenskyy of Ukraine", True),
    (["Putin"], "Putinism", False),                # whole words only
    (["Putin"], "Vladimir Putin's", True),         # the apostrophe ends the word
    (["Mr. Putin"], "Mr Putin", True),             # punctuation never decides
    (["Volodymyr Zelenskyy"], "Zelenskyy", False),  # the alias must be in the prediction, not vice versa
    ([""], "Russia", False),
])
def test_alias_is_matched_as_whole_words(aliases: list[str], predicted: str, expected: bool) -> None:
    assert alias_match(aliases, predicted) is expected


def test_signal_actor_may_match_canonical_actor_or_any_alias() -> None:
    gold = gold_doc([gsig("s1", "Volodymyr Zelenskyy", "refuses", "Zelenskyy ruled out talks", aliases=("Kyiv",))])
    assert sig_scores(gold, [psig("Volodymyr Zelenskyy", "refuses", "Zelenskyy ruled out talks")])["matched"] == 1
    assert sig_scores(gold, [psig("Kyiv", "refuses", "Zelenskyy ruled out talks")])["matched"] == 1
    assert sig_scores(gold, [psig("Ukraine", "refuses", "Zelenskyy ruled out talks")])["matched"] == 0


def test_actor_alias_inside_longer_predicted_actor_matches_but_not_inside_a_word() -> None:
    gold = gold_doc([gsig("s1", "Vladimir Putin", "open", "He is ready to make a deal", aliases=("Putin",))])
    assert sig_scores(gold, [psig("President Putin", "open", "He is ready to make a deal.")])["matched"] == 1
    assert sig_scores(gold, [psig("Putinism", "open", "He is ready to make a deal.")])["matched"] == 0


# --------------------------------------------------------------------------- stance

def test_stance_must_be_equal() -> None:
    assert sig_scores(ONE_RUSSIA, [psig("Russia", "open", READY)])["matched"] == 1
    scores = sig_scores(ONE_RUSSIA, [psig("Russia", "proposes", READY)])
    assert (scores["matched"], scores["precision"], scores["recall"]) == (0, 0.0, 0.0)


# --------------------------------------------------------------------------- evidence

def test_at_least_half_of_the_gold_evidence_words_are_needed() -> None:
    gold = gold_doc([gsig("s1", "Russia", "open", "alpha beta gamma delta")])
    assert sig_scores(gold, [psig("Russia", "open", "ALPHA, beta!")])["matched"] == 1   # 2 of 4
    assert sig_scores(gold, [psig("Russia", "open", "alpha epsilon")])["matched"] == 0  # 1 of 4
    assert sig_scores(gold, [psig("Russia", "open", "")])["matched"] == 0


def test_gold_words_count_with_repeats() -> None:
    assert pinpoints("peace peace peace talks", "peace")        # 3 of 4 gold words
    assert not pinpoints("talks talks talks peace", "peace")    # 1 of 4


def test_empty_gold_evidence_matches_nothing() -> None:
    assert not pinpoints("", "anything at all")


def _filler(n: int) -> str:
    return " ".join(f"x{k}" for k in range(n))


def test_short_gold_evidence_allows_sixty_words() -> None:
    gold_words = len(READY.split())  # 7 words: 2.5 x 7 < 60, so 60 is the limit
    assert pinpoints(READY, READY + " " + _filler(60 - gold_words))
    assert not pinpoints(READY, READY + " " + _filler(61 - gold_words))


def test_long_gold_evidence_allows_two_and_a_half_times_its_length() -> None:
    gold = " ".join(f"g{k}" for k in range(30))  # 30 words: limit 75
    assert pinpoints(gold, gold + " " + _filler(45))
    assert not pinpoints(gold, gold + " " + _filler(46))


def test_a_paragraph_does_not_match_even_when_it_holds_the_evidence() -> None:
    paragraph = READY + ". " + _filler(80)
    scores = sig_scores(ONE_RUSSIA, [psig("Russia", "open", paragraph)])
    assert scores["matched"] == 0 and scores["precision"] == 0.0


# --------------------------------------------------------------------------- one match per gold, repeats

def test_each_gold_signal_is_matched_at_most_once() -> None:
    gold = gold_doc([gsig("s1", "Russia", "open", READY), gsig("s2", "Ukraine", "refuses", "Kyiv ruled out talks")])
    preds = [psig("Russia", "open", READY), psig("Russia", "open", "Russia is ready for talks, Lavrov said")]
    scores = sig_scores(gold, preds)
    assert scores["matched"] == 1
    assert scores["recall"] == 0.5


def test_repeat_on_evidence_alt_of_a_matched_gold_is_ignored() -> None:
    gold = gold_doc([gsig("s1", "Russia", "open", READY, alt=("Moscow says it wants negotiations",))])
    preds = [psig("Russia", "open", READY), psig("Russia", "open", "Moscow says it wants negotiations.")]
    assert sig_scores(gold, preds) == {
        "gold": 1, "predicted": 2, "matched": 1, "ignored_repeats": 1,
        "precision": 1.0, "recall": 1.0, "f1": 1.0,
        "channel_acc": 1.0, "when_acc": 1.0, "sources_acc": None,
    }


def test_repeat_on_main_evidence_of_a_matched_gold_is_also_ignored() -> None:
    # The reference scorer treats a second copy of the main evidence like an evidence_alt repeat.
    scores = sig_scores(ONE_RUSSIA, [psig("Russia", "open", READY), psig("Kremlin", "open", READY + ".")])
    assert (scores["matched"], scores["ignored_repeats"], scores["precision"]) == (1, 1, 1.0)


def test_repeat_matching_no_evidence_of_the_matched_gold_is_a_false_positive() -> None:
    gold = gold_doc([gsig("s1", "Russia", "open", READY, alt=("Moscow says it wants negotiations",))])
    preds = [psig("Russia", "open", READY), psig("Russia", "open", "Moscow keeps shelling Kharkiv")]
    scores = sig_scores(gold, preds)
    assert (scores["matched"], scores["ignored_repeats"], scores["precision"]) == (1, 0, 0.5)


def test_prediction_on_evidence_alt_of_a_free_gold_is_a_match() -> None:
    gold = gold_doc([gsig("s1", "Russia", "open", READY, alt=("Moscow says it wants negotiations",))])
    scores = sig_scores(gold, [psig("Russia", "open", "Moscow says it wants negotiations")])
    assert (scores["matched"], scores["ignored_repeats"]) == (1, 0)


def test_free_gold_on_main_evidence_wins_over_an_earlier_evidence_alt_candidate() -> None:
    gold = gold_doc([
        gsig("s1", "Russia", "open", "Moscow wants peace", alt=("Russia signalled openness",)),
        gsig("s2", "Russia", "open", "Russia signalled openness to a ceasefire in Istanbul"),
    ])
    first = psig("Russia", "open", "Russia signalled openness to a ceasefire in Istanbul")
    result = score_article(gold, [first], [])
    assert result["missed_signals"] == ["s1"]
    # The same evidence again: s2 is taken, s1 is still free through its evidence_alt, so it matches.
    result = score_article(gold, [first, dict(first)], [])
    assert result["missed_signals"] == []
    assert result["signals"]["ignored_repeats"] == 0


def test_one_sentence_naming_two_parties_matches_two_gold_signals() -> None:
    evidence = "India and Pakistan agreed a truce"
    gold = gold_doc([gsig("s1", "India", "agrees", evidence), gsig("s2", "Pakistan", "agrees", evidence)])
    preds = [psig("India", "agrees", evidence), psig("Pakistan", "agrees", evidence)]
    assert sig_scores(gold, preds)["f1"] == 1.0


# --------------------------------------------------------------------------- field accuracies

def test_channel_is_compared_exactly() -> None:
    gold = gold_doc([gsig("s1", "Russia", "open", READY, channel="private")])
    assert sig_scores(gold, [psig("Russia", "open", READY, channel="private")])["channel_acc"] == 1.0
    assert sig_scores(gold, [psig("Russia", "open", READY, channel="both")])["channel_acc"] == 0.0


@pytest.mark.parametrize(("gold_when", "pred_when", "acc"), [
    ("2024-01-05", "2024-01-31", 1.0),   # same month
    ("2024-01", "2024-01-20", 1.0),
    ("2024-01-05", "2024-02-05", 0.0),
    ("2024", "2024-01", 0.0),             # a year is not a month
    ("", "", 1.0),
    ("2024-01", "", 0.0),
])
def test_when_is_compared_to_the_month(gold_when: str, pred_when: str, acc: float) -> None:
    gold = gold_doc([gsig("s1", "Russia", "open", READY, when=gold_when)])
    assert sig_scores(gold, [psig("Russia", "open", READY, when=pred_when)])["when_acc"] == acc


@pytest.mark.parametrize(("a", "b", "expected"), [
    ("The New York Times", "NYT", True),
    ("NYT", "The New York Times", True),
    ("The New York Times", "New York Times", True),
    ("two former senior Russian officials", "former Russian officials", True),  # 3 of 5 words, other way round
    ("The New York Times", "The Washington Post", False),
    ("BBC", "The New York Times", False),
])
def test_same_source(a: str, b: str, expected: bool) -> None:
    assert same_source(a, b) is expected


def test_sources_accuracy_needs_any_gold_source_and_is_none_without_gold_sources() -> None:
    gold = gold_doc([
        gsig("s1", "Russia", "open", READY, sources=("two officials", "The New York Times")),
        gsig("s2", "Ukraine", "refuses", "Kyiv ruled out talks"),
    ])
    hit = [psig("Russia", "open", READY, sources=("NYT",)), psig("Ukraine", "refuses", "Kyiv ruled out talks")]
    miss = [psig("Russia", "open", READY, sources=("Reuters",)), psig("Ukraine", "refuses", "Kyiv ruled out talks")]
    assert sig_scores(gold, hit)["sources_acc"] == 1.0      # only s1 has gold sources
    assert sig_scores(gold, miss)["sources_acc"] == 0.0
    assert sig_scores(gold_doc([gsig("s2", "Ukraine", "refuses", "Kyiv ruled out talks")]),
                      [psig("Ukraine", "refuses", "Kyiv ruled out talks", sources=("NYT",))])["sources_acc"] is None


# --------------------------------------------------------------------------- attributions

def test_attribution_needs_content_and_speaker_alias() -> None:
    gold = gold_doc([], [gatt("Volodymyr Zelenskyy", "there will be no talks with Moscow", ("Zelenskyy",))])
    good = patt("Ukrainian President Volodymyr Zelenskyy", "There will be no talks with Moscow")
    assert score_article(gold, [], [good])["attributions"]["matched"] == 1
    assert score_article(gold, [], [patt("Zelenskyy", "Kyiv is under attack")])["attributions"]["matched"] == 0
    assert score_article(gold, [], [patt("Putin", "there will be no talks with Moscow")])["attributions"]["matched"] == 0
    long_content = "there will be no talks with Moscow " + _filler(60)
    assert score_article(gold, [], [patt("Zelenskyy", long_content)])["attributions"]["matched"] == 0


def test_each_gold_attribution_is_matched_once_and_repeats_count_against_precision() -> None:
    gold = gold_doc([], [gatt("Volodymyr Zelenskyy", "there will be no talks with Moscow", ("Zelenskyy",))])
    pred = patt("Zelenskyy", "there will be no talks with Moscow")
    assert score_article(gold, [], [pred, dict(pred)])["attributions"] == {
        "gold": 1, "predicted": 2, "matched": 1, "precision": 0.5, "recall": 1.0, "f1": 0.667,
    }


# --------------------------------------------------------------------------- cross-checks

def _feelers_gold() -> dict[str, Any]:
    return gold_doc(
        [
            gsig("s1", "Vladimir Putin", "open", "He is ready to make a deal.", aliases=("Putin", "Mr Putin", "Kremlin"),
                 channel="private", when="2023-12", sources=("The New York Times",)),
            gsig("s2", "Volodymyr Zelenskyy", "refuses", "Zelenskyy ruled out any talks with Moscow",
                 aliases=("Zelenskyy", "Ukraine"), alt=("Kyiv will not negotiate with Moscow",), when="2024-02-10"),
            gsig("s3", "Qatar", "urges", "Qatar pressed both sides to agree a truce", channel="private", when="2024-01"),
        ],
        [
            gatt("The New York Times", "Mr. Putin has been sending a different message", ("NYT", "New York Times")),
            gatt("Volodymyr Zelenskyy", "there will be no talks with Moscow", ("Zelenskyy",)),
        ],
    )


def _feelers_predictions() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    signals = [
        psig("President Vladimir Putin", "open", "Mr. Putin has been sending a different message: He is ready to make a deal.",
             channel="private", when="2023-12-20", sources=("NYT",)),
        psig("Zelenskyy", "refuses", "Zelenskyy ruled out any talks with Moscow.", channel="private", when="2024-02"),
        psig("Ukraine", "refuses", "Kyiv will not negotiate with Moscow, officials said.", when="2024-02"),
        psig("Russia", "open", "Russia is winning on the battlefield."),
    ]
    attributions = [
        patt("NYT", "Mr. Putin has been sending a different message [to the one he makes in public]"),
        patt("Putin", "there will be no talks with Moscow"),
        patt("Ukrainian President Volodymyr Zelenskyy", "There will be no talks with Moscow"),
    ]
    return signals, attributions


def test_cross_check_mixed_article() -> None:
    # s1 matched (channel, month and NYT source right); s2 matched (channel wrong); the Kyiv
    # sentence repeats s2 through its evidence_alt (ignored); "Russia" is no alias of s1 (false
    # positive); s3 missed.  Attributions: the NYT one and the Zelenskyy one; "Putin" is the wrong speaker.
    signals, attributions = _feelers_predictions()
    assert score_article(_feelers_gold(), signals, attributions) == {
        "signals": {"gold": 3, "predicted": 4, "matched": 2, "ignored_repeats": 1,
                    "precision": 0.667, "recall": 0.667, "f1": 0.667,
                    "channel_acc": 0.5, "when_acc": 1.0, "sources_acc": 1.0},
        "attributions": {"gold": 2, "predicted": 3, "matched": 2, "precision": 0.667, "recall": 1.0, "f1": 0.8},
        "missed_signals": ["s3"],
    }


def test_cross_check_no_predictions() -> None:
    assert score_article(_feelers_gold(), [], []) == {
        "signals": {"gold": 3, "predicted": 0, "matched": 0, "ignored_repeats": 0,
                    "precision": 0.0, "recall": 0.0, "f1": 0.0,
                    "channel_acc": 0.0, "when_acc": 0.0, "sources_acc": None},
        "attributions": {"gold": 2, "predicted": 0, "matched": 0, "precision": 0.0, "recall": 0.0, "f1": 0.0},
        "missed_signals": ["s1", "s2", "s3"],
    }


def test_cross_check_negative_article() -> None:
    preds = [psig("Russia", "open", READY), psig("Ukraine", "refuses", "Kyiv ruled out talks")]
    assert score_article(gold_doc([]), preds, [patt("Putin", "hello")]) == {
        "signals": {"gold": 0, "predicted": 2, "matched": 0, "ignored_repeats": 0,
                    "precision": 0.0, "recall": 0.0, "f1": 0.0,
                    "channel_acc": 0.0, "when_acc": 0.0, "sources_acc": None},
        "attributions": {"gold": 0, "predicted": 1, "matched": 0, "precision": 0.0, "recall": 0.0, "f1": 0.0},
        "missed_signals": [],
    }


def test_cross_check_partial_article_with_one_third_precision() -> None:
    # 1 of 3 predictions right, 1 of 2 gold found: P 0.333, R 0.5, F1 = 2 * (1/3 * 1/2) / (5/6) = 0.4.
    gold = gold_doc([gsig("s1", "Russia", "open", READY, aliases=("Moscow",), when="2025-05-15"),
                     gsig("s2", "Turkey", "urges", "Erdogan offered to host talks in Istanbul")])
    preds = [psig("Moscow", "open", READY, when="2025-05", channel="private"),
             psig("Turkey", "open", "Erdogan offered to host talks in Istanbul"),
             psig("Turkey", "urges", "Turkey sells drones to Ukraine")]
    assert sig_scores(gold, preds) == {
        "gold": 2, "predicted": 3, "matched": 1, "ignored_repeats": 0,
        "precision": 0.333, "recall": 0.5, "f1": 0.4,
        "channel_acc": 0.0, "when_acc": 1.0, "sources_acc": None,
    }


def test_predictions_may_lack_optional_fields() -> None:
    # No channel is not "public"; a missing "when" agrees with a gold "when" left empty.
    scores = sig_scores(ONE_RUSSIA, [{"actor": "Russia", "stance": "open", "evidence": READY, "sources": None}])
    assert (scores["matched"], scores["channel_acc"], scores["when_acc"]) == (1, 0.0, 1.0)


# --------------------------------------------------------------------------- gold directories

def write_gold(root: Path, slug: str, gold: dict[str, Any], article_file: str | None = "article.json") -> Path:
    folder = root / slug
    folder.mkdir(parents=True)
    (folder / "gold.json").write_text(json.dumps(gold), encoding="utf-8")
    if article_file:
        (folder / article_file).write_text(json.dumps({"text": f"text of {slug}"}), encoding="utf-8")
    return folder


def test_load_gold_dir_sorts_by_slug_and_resolves_article_files(tmp_path: Path) -> None:
    txt_gold = gold_doc([])
    txt_gold["article"] = {"file": "article.txt"}
    write_gold(tmp_path, "b-second", txt_gold, "article.txt")
    no_file_gold = gold_doc([])
    del no_file_gold["article"]
    write_gold(tmp_path, "a-first", no_file_gold)
    (tmp_path / "README.md").write_text("notes", encoding="utf-8")  # loose files are not articles
    (tmp_path / ".cache").mkdir()
    entries = load_gold_dir(tmp_path)
    assert [(slug, path.name) for slug, _, path in entries] == [("a-first", "article.json"), ("b-second", "article.txt")]
    assert entries[1][2] == tmp_path / "b-second" / "article.txt"


@pytest.mark.parametrize(("breakage", "message"), [
    ("no_gold", "no gold.json"),
    ("bad_json", "not valid UTF-8 JSON"),
    ("no_article", "does not exist"),
    ("missing_key", "signals[0] lacks evidence"),
    ("signals_not_list", "'signals' must be a list"),
    ("escaping_file", "must be a file name inside"),
])
def test_load_gold_dir_names_the_broken_file(tmp_path: Path, breakage: str, message: str) -> None:
    gold = gold_doc([gsig("s1", "Russia", "open", READY)])
    folder = tmp_path / "broken"
    if breakage == "no_gold":
        folder.mkdir()
    elif breakage == "bad_json":
        write_gold(tmp_path, "broken", gold)
        (folder / "gold.json").write_text("{not json", encoding="utf-8")
    elif breakage == "no_article":
        write_gold(tmp_path, "broken", gold, article_file=None)
    elif breakage == "missing_key":
        del gold["signals"][0]["evidence"]
        write_gold(tmp_path, "broken", gold)
    elif breakage == "signals_not_list":
        gold["signals"] = {}
        write_gold(tmp_path, "broken", gold)
    elif breakage == "escaping_file":
        gold["article"]["file"] = "../elsewhere.json"
        write_gold(tmp_path, "broken", gold)
    with pytest.raises(GoldDirError, match=re.escape(message)) as info:
        load_gold_dir(tmp_path)
    assert "broken" in str(info.value)
    assert isinstance(info.value, BackchannelError)


def test_load_gold_dir_rejects_missing_and_empty_directories(tmp_path: Path) -> None:
    with pytest.raises(GoldDirError, match="not a directory"):
        load_gold_dir(tmp_path / "nope")
    with pytest.raises(GoldDirError, match="no gold articles"):
        load_gold_dir(tmp_path)


# --------------------------------------------------------------------------- evaluate and micro-averaging

def _two_article_dir(root: Path) -> dict[Path, dict[str, Any]]:
    """Article "feelers" (the cross-check above) and a negative article; returns the fake extractor output."""
    write_gold(root, "feelers", _feelers_gold())
    write_gold(root, "negative", gold_doc([]))
    signals, attributions = _feelers_predictions()
    return {
        root / "feelers" / "article.json": {"article": {}, "signals": signals, "attributions": attributions},
        root / "negative" / "article.json": {"article": {}, "signals": [psig("Russia", "open", READY)],
                                             "attributions": []},
    }


def test_evaluate_scores_each_article_and_micro_averages(tmp_path: Path) -> None:
    outputs = _two_article_dir(tmp_path)
    seen: list[Path] = []

    def extract(path: Path) -> dict[str, Any]:
        seen.append(path)
        return outputs[path]

    report = evaluate(tmp_path, extract)
    assert seen == sorted(outputs)
    assert [a.slug for a in report.articles] == ["feelers", "negative"]
    assert report.articles[0].missed_signals == ["s3"]
    assert [s["actor"] for s in report.articles[0].spurious_signals] == ["Russia"]  # the ignored repeat is not listed
    assert report.articles[1].negative and report.articles[1].signals.predicted == 1
    # Micro totals: 2 matched of (4 - 1 ignored) + 1 predictions = 0.5, recall 2/3, F1 4/7.
    totals = report.signals
    assert (totals.gold, totals.predicted, totals.matched, totals.ignored_repeats) == (3, 5, 2, 1)
    assert (totals.precision, totals.recall, totals.f1) == (0.5, 0.667, 0.571)
    assert (totals.channel_acc, totals.when_acc, totals.sources_acc) == (0.5, 1.0, 1.0)
    assert report.attributions.to_dict() == {"gold": 2, "predicted": 3, "matched": 2,
                                             "precision": 0.667, "recall": 1.0, "f1": 0.8}


def test_micro_average_sums_counts_instead_of_averaging_article_scores() -> None:
    def article(slug: str, gold: int, predicted: int, matched: int) -> ArticleScore:
        from backchannel.evaluation.scoring import SignalScores
        signals = SignalScores.from_signal_counts(gold=gold, predicted=predicted, matched=matched, ignored_repeats=0,
                                                  channel_correct=matched, when_correct=0, sources_correct=0,
                                                  sources_gold=0)
        return ArticleScore(slug, signals, FieldScores.from_counts(0, 0, 0))

    # Article a: 1/1 (F1 1.0); article b: 1/9 gold, 1/9 predicted.  Macro F1 would be 0.556.
    report = EvalReport.from_articles([article("a", 1, 1, 1), article("b", 9, 9, 1)])
    assert (report.signals.precision, report.signals.recall, report.signals.f1) == (0.2, 0.2, 0.2)
    assert report.signals.channel_acc == 1.0


def test_evaluate_rejects_a_non_object_extractor_result(tmp_path: Path) -> None:
    write_gold(tmp_path, "one", gold_doc([]))
    with pytest.raises(BackchannelError, match="not an object"):
        evaluate(tmp_path, lambda path: [])  # type: ignore[arg-type, return-value]


def test_report_to_dict_is_json_serialisable(tmp_path: Path) -> None:
    outputs = _two_article_dir(tmp_path)
    data = json.loads(json.dumps(evaluate(tmp_path, outputs.__getitem__).to_dict()))
    assert data["signals"]["f1"] == 0.571
    assert data["articles"][0]["slug"] == "feelers"
    assert data["articles"][0]["signals"]["ignored_repeats"] == 1


# --------------------------------------------------------------------------- floors

@pytest.fixture
def report(tmp_path: Path) -> EvalReport:
    outputs = _two_article_dir(tmp_path)
    return evaluate(tmp_path, outputs.__getitem__)


def test_floors_pass_and_fail_with_readable_messages(report: EvalReport) -> None:
    assert check_floors(report, {"signals": {"f1": 0.5, "precision": 0.5}, "attributions": {"f1": 0.8}}) == []
    failures = check_floors(report, {"signals": {"f1": 0.65, "when_acc": 1.0, "channel_acc": 0.75},
                                     "attributions": {"f1": 0.81}, "_comment": "ignored"})
    assert failures == [
        "signals f1 0.571 < floor 0.65",
        "signals channel_acc 0.5 < floor 0.75",
        "attributions f1 0.8 < floor 0.81",
    ]


def test_negatives_max_signals_caps_signals_on_negative_articles(report: EvalReport) -> None:
    assert check_floors(report, {"negatives_max_signals": None}) == []
    assert check_floors(report, {"negatives_max_signals": 1}) == []
    assert check_floors(report, {"negatives_max_signals": 0}) == ["negative: 1 signals on a negative article > max 0"]


def test_unmeasured_sources_accuracy_fails_only_a_positive_floor(report: EvalReport) -> None:
    report.signals.sources_acc = None
    assert check_floors(report, {"signals": {"sources_acc": 0.0}}) == []
    assert check_floors(report, {"signals": {"sources_acc": 0.5}})[0].startswith("signals sources_acc not measured")


@pytest.mark.parametrize("floors", [{"signals": {"F1": 0.5}}, {"signal": {"f1": 0.5}}, {"attributions": {"when_acc": 0.1}}])
def test_misspelt_floors_are_errors_not_silent_passes(report: EvalReport, floors: dict[str, Any]) -> None:
    with pytest.raises(BackchannelError, match="unknown"):
        check_floors(report, floors)


def test_committed_floors_file_is_well_formed(report: EvalReport) -> None:
    floors = json.loads((REPO / "eval" / "floors.json").read_text(encoding="utf-8"))
    assert set(floors) >= {"signals", "attributions", "negatives_max_signals", "_comment"}
    check_floors(report, floors)  # raises on an unknown section or metric


# --------------------------------------------------------------------------- table

def test_format_report_is_an_aligned_table_with_a_total_row(report: EvalReport) -> None:
    text = format_report(report)
    lines = text.splitlines()
    assert lines[0].split() == ["article", "signals", "P", "R", "F1", "attrib", "P", "R", "F1",
                                "channel", "when", "sources"]
    table_rows = [line for line in lines if not set(line) <= {"-"}]
    assert len({len(line) for line in table_rows}) == 1  # every column right-aligned to the same width
    feelers = next(line for line in lines if line.startswith("feelers"))
    assert feelers.split() == ["feelers", "2/3/3", "0.67", "0.67", "0.67", "2/2/3", "0.67", "1.00", "0.80",
                               "0.50", "1.00", "1.00"]
    negative = next(line for line in lines if line.startswith("negative"))
    assert negative.split()[1:5] == ["0/0/1", "0.00", "0.00", "0.00"]
    assert negative.split()[-3:] == ["n/a", "n/a", "n/a"]  # no matched pairs: no accuracies
    assert lines[-1].split()[:4] == ["TOTAL", "(micro)", "2/3/4", "0.50"]
