"""The shipped signal model: what the default extractor decides with, end to end on the CPU."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from backchannel.jobs.extractor import Extractor, extractor_version
from backchannel.model.choice import SHIPPED_DIR, model_digest
from backchannel.model.runtime import PairModel, file_sha256
from backchannel.records import Article

TALKS = ("Israel and Hamas fought for a month in Gaza, with airstrikes and rocket fire killing hundreds.\n\n"
         "Hamas said on Monday it had accepted an Egyptian proposal for a 72-hour ceasefire, and its "
         "delegation arrived in Cairo for talks. Egypt urged both sides to respect the truce.")
#: The twin names the war's front (Donbas): the model reads where each holder stands in the war the article is
#: about (``nlp/conflicts.py``), and two state names alone do not place an article in a war.
WAR_TRUCE = ("Russia and Ukraine agreed on Monday to a 90-day truce on the front in Donbas, pausing a war that had "
             "rattled markets. Officials said talks in Geneva produced a deal to cut strikes on both sides.")
TRADE = ("The United States and China agreed on Monday to a 90-day truce on tariffs, pausing a trade war that "
         "had rattled markets. Officials said talks in Geneva produced a deal to cut duties on both sides.")


@pytest.fixture(scope="module")
def shipped(extractor: Extractor) -> Extractor:
    return extractor


def test_the_card_names_the_shipped_weights_the_base_model_and_the_figures():
    card = json.loads((SHIPPED_DIR / "card.json").read_text(encoding="utf-8"))
    assert card["shipped"]["sha256"] == file_sha256(SHIPPED_DIR / "model.onnx")
    assert card["base_model"]["sha256"] == "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
    assert 0 < card["threshold"] < 1
    assert card["dev"][card["shipped"]["precision"]]["f1"] > 0
    assert (SHIPPED_DIR / "model.onnx").stat().st_size < 100 * 2**20


def test_the_default_decision_is_the_shipped_model_and_its_digest_is_in_the_version(shipped):
    assert Path(shipped.signal_model) == SHIPPED_DIR
    assert extractor_version().split("+")[2] == "m" + model_digest(SHIPPED_DIR)[:10]
    assert extractor_version(signal_model="rules").split("+")[2] == "rules"


def test_the_default_extractor_finds_a_stated_position_and_nothing_for_the_fighting(shipped):
    result = shipped.extract(Article(text=TALKS, published="2014-08-04", outlet="Test Desk"))
    found = {(s.actor, s.stance) for s in result.signals}
    # the two positions the text states; the shipped model (dev F1 0.404) is not sure of both
    assert found & {("Hamas", "agrees"), ("Egypt", "urges")}, found
    assert not [s for s in result.signals if "airstrikes" in s.evidence], found
    assert all(s.evidence in TALKS and s.when.startswith("2014-08") for s in result.signals)
    assert len(result.explanations) == len(result.signals)
    assert {"gate", "holder", "scores"} <= set(result.explanations[0])


def test_a_trade_truce_gives_no_signal(shipped):
    result = shipped.extract(Article(text=TRADE, published="2019-05-02", outlet="Test Desk"))
    assert result.signals == []


def test_the_same_truce_in_a_war_is_a_signal_for_both_sides(shipped):
    """The twin of the trade truce: a truce on the front of a war."""
    result = shipped.extract(Article(text=WAR_TRUCE, published="2019-05-02", outlet="Test Desk"))
    found = {(s.actor, s.stance, s.topic) for s in result.signals}
    assert {("Russia", "agrees", "ceasefire"), ("Ukraine", "agrees", "ceasefire")} <= found, found


def test_a_corrupt_model_is_one_line_naming_the_file(tmp_path: Path):
    broken = tmp_path / "model"
    shutil.copytree(SHIPPED_DIR, broken)
    (broken / "model.onnx").write_bytes(b"not a model")
    article = tmp_path / "a.txt"
    article.write_text(TALKS, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "backchannel", "extract", str(article), "--signal-model", str(broken)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "model.onnx" in lines[0] and "Traceback" not in proc.stderr


def test_the_shipped_model_scores_pairs_in_input_order():
    model = PairModel(SHIPPED_DIR)
    pairs = [("Hamas ; named ; subject", "«Hamas» accepted the ceasefire."),
             ("Egypt ; named", "Markets in «Egypt» rose on Monday.")]
    one = model.predict(pairs)
    rev = model.predict(pairs[::-1])[::-1]
    for a, b in zip(one, rev, strict=True):
        assert abs(a.stance["none"] - b.stance["none"]) < 1e-4
        assert abs(sum(a.stance.values()) - 1) < 1e-4
    assert one[0].stance["agrees"] > one[1].stance["agrees"]
    assert one[1].stance["none"] > one[0].stance["none"]


def test_a_pairs_scores_do_not_depend_on_the_pairs_scored_with_it():
    """The int8 model's activation scales are per batch: scored in company, a pair's scores would move with its
    neighbours', and an article's signals with which other pairs its mode sends to the encoder."""
    model = PairModel(SHIPPED_DIR)
    pair = ("Vladimir Putin ; named ; party ; subject",
            "Privately, «Putin» has signalled through intermediaries that he is ready for a ceasefire.")
    crowd = [(f"Side {i} ; named", "Markets rose on Monday as «traders» " + "and analysts " * (i % 9) + "watched.")
             for i in range(40)]
    alone = model.encoder_scores([pair])[0]
    for company in (crowd[:3], crowd, crowd[::-1][:17]):
        among = model.encoder_scores([*company, pair])[-1]
        assert max(abs(alone.stance[k] - among.stance[k]) for k in alone.stance) < 1e-6
