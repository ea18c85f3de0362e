"""Score the extractor against gold articles (``backchannel eval GOLD_DIR``).

The matching rules are the evaluation contract of docs/SCHEMA.md ("Scoring"); the
numbers for one article must equal those of the reference scorer, so that a
figure quoted from ``backchannel eval`` and one from the reference script mean
the same thing.  In short:

* **Signals.**  A prediction matches a gold signal when the stance is equal, a
  gold alias (or the canonical actor) occurs in the predicted actor as whole
  words, and the predicted evidence *pinpoints* the gold evidence: it holds at
  least half of the gold words and is no longer than a sentence around it
  (2.5 times the gold length, or 60 words, whichever is more).  Each gold
  signal is matched at most once.  A prediction that could only match gold
  signals that are already taken is an *ignored repeat*: it is neither right
  nor wrong and is left out of the precision denominator.
* **Fields.**  On matched pairs: ``channel`` equal, ``when`` equal to the month,
  ``sources`` agreeing on at least one name (most words shared, or an acronym:
  ``NYT`` for ``The New York Times``).
* **Attributions.**  The predicted content pinpoints the gold content and a gold
  speaker alias occurs in the predicted speaker as whole words.

Words are compared case- and accent-insensitively.  Over a directory the scores
are micro-averaged: counts are summed over articles before dividing, so a long
article weighs more than a short one and a negative article (no gold signals)
adds its predictions as false positives.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backchannel.errors import BackchannelError

GOLD_FILE = "gold.json"
DEFAULT_ARTICLE_FILE = "article.json"

#: Evidence may be this many times longer than the gold evidence ...
MAX_LENGTH_RATIO = 2.5
#: ... or this many words, whichever is more: a sentence, not a paragraph.
MAX_LENGTH_WORDS = 60
#: Share of the gold words that the prediction must contain.
MIN_WORD_SHARE = 0.5
#: Figures are reported (and compared with floors) at this precision, like the reference scorer.
DIGITS = 3

_WORD = re.compile(r"\w+", re.UNICODE)
_ACRONYM_SKIP = frozenset({"the", "of", "and"})

_SIGNAL_KEYS = ("id", "actor", "aliases", "stance", "channel", "when", "sources", "evidence")
_ATTRIBUTION_KEYS = ("speaker", "aliases", "content")


class GoldDirError(BackchannelError):
    """A gold directory or one of its gold files is unusable; the message names the file."""


# --------------------------------------------------------------------------- text comparison


def normalize(text: str | None) -> str:
    """Fold case and strip accents so that "Zelenskyy", "ZELENSKYY" and "Zelenškyy" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.casefold().replace("\u2019", "'")


def words(text: str | None) -> list[str]:
    """The normalized words of ``text``; punctuation and spacing never decide a match."""
    return _WORD.findall(normalize(text))


def covers(gold_text: str | None, pred_text: str | None, share: float = MIN_WORD_SHARE) -> bool:
    """At least ``share`` of the gold words (counted with repeats) occur in the prediction."""
    gold_words = words(gold_text)
    if not gold_words:
        return False
    pred_words = set(words(pred_text))
    return sum(w in pred_words for w in gold_words) / len(gold_words) >= share


def pinpoints(gold_text: str | None, pred_text: str | None) -> bool:
    """The prediction holds the gold text and is no longer than a sentence around it.

    The length limit keeps an extractor from scoring by returning whole paragraphs.
    """
    limit = max(MAX_LENGTH_RATIO * len(words(gold_text)), MAX_LENGTH_WORDS)
    return covers(gold_text, pred_text) and len(words(pred_text)) <= limit


def alias_match(aliases: Iterable[str], pred_name: str | None) -> bool:
    """Some alias equals the predicted name or occurs in it as whole words.

    Whole words, so that "Putin" matches "President Vladimir Putin" but not "Putinism".
    """
    padded = " " + " ".join(words(pred_name)) + " "
    for alias in aliases:
        joined = " ".join(words(alias))
        if joined and f" {joined} " in padded:
            return True
    return False


def _initials(text: str) -> str:
    return "".join(w[0] for w in words(text) if w not in _ACRONYM_SKIP)


def same_source(a: str, b: str) -> bool:
    """Two source names agree: most words shared either way, or one is the other's acronym (NYT)."""
    if covers(a, b) or covers(b, a):
        return True
    wa, wb = words(a), words(b)
    return (len(wa) == 1 and wa[0] == _initials(b)) or (len(wb) == 1 and wb[0] == _initials(a))


def _month(when: str | None) -> str:
    """``YYYY-MM`` of a date; "when" is judged to the month because days are often inferred."""
    return (when or "")[:7]


# --------------------------------------------------------------------------- scores


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


def _prf(matched: int, predicted: int, gold: int) -> tuple[float, float, float]:
    precision, recall = _ratio(matched, predicted), _ratio(matched, gold)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


@dataclass
class FieldScores:
    """Precision, recall and F1 of one kind of record, with the counts they come from.

    Figures are rounded to ``DIGITS`` places; totals are recomputed from the counts,
    never averaged from rounded figures.
    """

    gold: int
    predicted: int
    matched: int
    precision: float
    recall: float
    f1: float

    @classmethod
    def from_counts(cls, gold: int, predicted: int, matched: int) -> FieldScores:
        p, r, f = _prf(matched, predicted, gold)
        return cls(gold, predicted, matched, round(p, DIGITS), round(r, DIGITS), round(f, DIGITS))

    def to_dict(self) -> dict[str, Any]:
        return {"gold": self.gold, "predicted": self.predicted, "matched": self.matched,
                "precision": self.precision, "recall": self.recall, "f1": self.f1}


@dataclass
class SignalScores(FieldScores):
    """Signal scores: P/R/F1 plus ignored repeats and field accuracies on matched pairs.

    ``predicted`` counts every prediction; precision divides by ``predicted -
    ignored_repeats``.  ``channel_acc`` and ``when_acc`` are 0.0 when nothing
    matched; ``sources_acc`` is None when no matched gold signal names a source.
    The ``*_correct`` and ``sources_gold`` counts let totals be micro-averaged.
    """

    ignored_repeats: int = 0
    channel_acc: float = 0.0
    when_acc: float = 0.0
    sources_acc: float | None = None
    channel_correct: int = 0
    when_correct: int = 0
    sources_correct: int = 0
    sources_gold: int = 0

    @classmethod
    def from_signal_counts(
        cls,
        *,
        gold: int,
        predicted: int,
        matched: int,
        ignored_repeats: int,
        channel_correct: int,
        when_correct: int,
        sources_correct: int,
        sources_gold: int,
    ) -> SignalScores:
        p, r, f = _prf(matched, predicted - ignored_repeats, gold)
        pairs = matched or 1
        return cls(
            gold=gold,
            predicted=predicted,
            matched=matched,
            precision=round(p, DIGITS),
            recall=round(r, DIGITS),
            f1=round(f, DIGITS),
            ignored_repeats=ignored_repeats,
            channel_acc=round(channel_correct / pairs, DIGITS),
            when_acc=round(when_correct / pairs, DIGITS),
            sources_acc=round(sources_correct / sources_gold, DIGITS) if sources_gold else None,
            channel_correct=channel_correct,
            when_correct=when_correct,
            sources_correct=sources_correct,
            sources_gold=sources_gold,
        )

    def to_dict(self) -> dict[str, Any]:
        return {"gold": self.gold, "predicted": self.predicted, "matched": self.matched,
                "ignored_repeats": self.ignored_repeats,
                "precision": self.precision, "recall": self.recall, "f1": self.f1,
                "channel_acc": self.channel_acc, "when_acc": self.when_acc, "sources_acc": self.sources_acc}


@dataclass
class ArticleScore:
    """The scores of one gold article, with what went wrong for debugging."""

    slug: str
    signals: SignalScores
    attributions: FieldScores
    missed_signals: list[str] = field(default_factory=list)
    #: Predictions that matched no gold signal (ignored repeats are not listed).
    spurious_signals: list[dict[str, Any]] = field(default_factory=list)

    @property
    def negative(self) -> bool:
        """A negative article has no gold signal: every predicted signal is a false positive."""
        return self.signals.gold == 0

    def to_dict(self) -> dict[str, Any]:
        return {"slug": self.slug, "signals": self.signals.to_dict(),
                "attributions": self.attributions.to_dict(),
                "missed_signals": list(self.missed_signals), "spurious_signals": list(self.spurious_signals)}


@dataclass
class EvalReport:
    """Per-article scores and their micro-averaged totals."""

    articles: list[ArticleScore]
    signals: SignalScores
    attributions: FieldScores

    @classmethod
    def from_articles(cls, articles: list[ArticleScore]) -> EvalReport:
        """Micro-average: sum the counts over articles, then divide once."""
        sig = [a.signals for a in articles]
        att = [a.attributions for a in articles]
        signals = SignalScores.from_signal_counts(
            gold=sum(s.gold for s in sig),
            predicted=sum(s.predicted for s in sig),
            matched=sum(s.matched for s in sig),
            ignored_repeats=sum(s.ignored_repeats for s in sig),
            channel_correct=sum(s.channel_correct for s in sig),
            when_correct=sum(s.when_correct for s in sig),
            sources_correct=sum(s.sources_correct for s in sig),
            sources_gold=sum(s.sources_gold for s in sig),
        )
        attributions = FieldScores.from_counts(
            gold=sum(a.gold for a in att), predicted=sum(a.predicted for a in att),
            matched=sum(a.matched for a in att),
        )
        return cls(articles=articles, signals=signals, attributions=attributions)

    def to_dict(self) -> dict[str, Any]:
        return {"articles": [a.to_dict() for a in self.articles],
                "signals": self.signals.to_dict(), "attributions": self.attributions.to_dict()}


# --------------------------------------------------------------------------- matching


@dataclass
class _SignalMatching:
    pairs: list[tuple[int, int]]  # (gold index, prediction index)
    ignored: set[int]  # prediction indices that are ignored repeats


def _match_signals(gold: list[dict[str, Any]], pred: list[dict[str, Any]]) -> _SignalMatching:
    """Greedy matching, predictions in order, exactly as the reference scorer does it.

    For each prediction, the candidates are the gold signals with the same stance and
    actor whose evidence (main or one of ``evidence_alt``) the prediction pinpoints.
    The first candidate that is still free *on its main evidence* wins.  Failing that,
    the first candidate decides: free (an ``evidence_alt`` match) means a match; taken
    means the prediction only repeats a matched signal and is ignored.
    """
    used: set[int] = set()
    matching = _SignalMatching(pairs=[], ignored=set())
    for j, p in enumerate(pred):
        evidence = p.get("evidence", "")
        candidates: list[tuple[int, bool]] = []  # (gold index, matched on main evidence)
        for i, g in enumerate(gold):
            if g["stance"] != p.get("stance"):
                continue
            if not alias_match([*g.get("aliases", []), g["actor"]], p.get("actor", "")):
                continue
            if pinpoints(g["evidence"], evidence):
                candidates.append((i, True))
            elif any(pinpoints(alt, evidence) for alt in g.get("evidence_alt", []) or []):
                candidates.append((i, False))
        free_main = next((i for i, main in candidates if main and i not in used), None)
        chosen = free_main if free_main is not None else (candidates[0][0] if candidates else None)
        if chosen is None:
            continue
        if chosen in used:
            matching.ignored.add(j)
        else:
            used.add(chosen)
            matching.pairs.append((chosen, j))
    return matching


def _match_attributions(gold: list[dict[str, Any]], pred: list[dict[str, Any]]) -> int:
    """Greedy: each prediction takes the first free gold attribution it matches."""
    used: set[int] = set()
    for q in pred:
        for i, g in enumerate(gold):
            if i in used:
                continue
            if pinpoints(g["content"], q.get("content", "")) and alias_match(
                [*g.get("aliases", []), g["speaker"]], q.get("speaker", "")
            ):
                used.add(i)
                break
    return len(used)


def _score(gold: dict[str, Any], pred_signals: list[dict[str, Any]],
           pred_attributions: list[dict[str, Any]], slug: str = "") -> ArticleScore:
    gold_signals: list[dict[str, Any]] = gold["signals"]
    matching = _match_signals(gold_signals, pred_signals)
    channel = when = sources = sources_gold = 0
    for i, j in matching.pairs:
        g, q = gold_signals[i], pred_signals[j]
        channel += g["channel"] == q.get("channel")
        when += _month(g["when"]) == _month(q.get("when"))
        if g["sources"]:
            sources_gold += 1
            predicted_sources = q.get("sources") or []
            sources += any(same_source(s, t) for s in g["sources"] for t in predicted_sources)
    signals = SignalScores.from_signal_counts(
        gold=len(gold_signals), predicted=len(pred_signals), matched=len(matching.pairs),
        ignored_repeats=len(matching.ignored), channel_correct=channel, when_correct=when,
        sources_correct=sources, sources_gold=sources_gold,
    )
    gold_attributions: list[dict[str, Any]] = gold["attributions"]
    attributions = FieldScores.from_counts(
        gold=len(gold_attributions), predicted=len(pred_attributions),
        matched=_match_attributions(gold_attributions, pred_attributions),
    )
    matched_gold = {i for i, _ in matching.pairs}
    matched_pred = {j for _, j in matching.pairs} | matching.ignored
    return ArticleScore(
        slug=slug,
        signals=signals,
        attributions=attributions,
        missed_signals=[g["id"] for i, g in enumerate(gold_signals) if i not in matched_gold],
        spurious_signals=[p for j, p in enumerate(pred_signals) if j not in matched_pred],
    )


def score_article(gold: dict[str, Any], pred_signals: list[dict[str, Any]],
                  pred_attributions: list[dict[str, Any]]) -> dict[str, Any]:
    """Score one article; the dict has the keys and numbers of the reference scorer's ``score()``."""
    result = _score(gold, pred_signals, pred_attributions)
    return {"signals": result.signals.to_dict(), "attributions": result.attributions.to_dict(),
            "missed_signals": result.missed_signals}


# --------------------------------------------------------------------------- gold directories


def _read_gold(path: Path) -> dict[str, Any]:
    """Read and check one gold file, so that a broken file fails here and not mid-scoring."""
    try:
        gold = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise GoldDirError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GoldDirError(f"{path}: not valid UTF-8 JSON: {exc}") from exc
    if not isinstance(gold, dict):
        raise GoldDirError(f"{path}: expected a JSON object with 'signals' and 'attributions'")
    for section, keys in (("signals", _SIGNAL_KEYS), ("attributions", _ATTRIBUTION_KEYS)):
        records = gold.get(section)
        if not isinstance(records, list):
            raise GoldDirError(f"{path}: '{section}' must be a list")
        for n, record in enumerate(records):
            if not isinstance(record, dict):
                raise GoldDirError(f"{path}: {section}[{n}] is not an object")
            missing = [k for k in keys if k not in record]
            if missing:
                raise GoldDirError(f"{path}: {section}[{n}] lacks {', '.join(missing)}")
            if not isinstance(record["aliases"], list):
                raise GoldDirError(f"{path}: {section}[{n}].aliases must be a list")
    article = gold.get("article", {})
    if not isinstance(article, dict):
        raise GoldDirError(f"{path}: 'article' must be an object")
    return gold


def _article_path(slug_dir: Path, gold: dict[str, Any], gold_path: Path) -> Path:
    name = gold.get("article", {}).get("file") or DEFAULT_ARTICLE_FILE
    if not isinstance(name, str) or Path(name).is_absolute() or ".." in Path(name).parts:
        raise GoldDirError(f"{gold_path}: article.file must be a file name inside {slug_dir}, not {name!r}")
    path = slug_dir / name
    if not path.is_file():
        raise GoldDirError(f"{gold_path}: article file {path} does not exist")
    return path


def load_gold_dir(gold_dir: Path) -> list[tuple[str, dict[str, Any], Path]]:
    """The gold articles of ``gold_dir`` as ``(slug, gold, article_path)``, sorted by slug.

    Every sub-directory (except hidden ones and ``_``-prefixed ones) must hold a
    ``gold.json`` and its article: an article silently skipped would make the
    scores look better than they are.
    """
    gold_dir = Path(gold_dir)
    if not gold_dir.is_dir():
        raise GoldDirError(f"{gold_dir}: not a directory")
    entries: list[tuple[str, dict[str, Any], Path]] = []
    for slug_dir in sorted(p for p in gold_dir.iterdir() if p.is_dir()):
        if slug_dir.name.startswith((".", "_")):
            continue
        gold_path = slug_dir / GOLD_FILE
        if not gold_path.is_file():
            raise GoldDirError(f"{slug_dir}: no {GOLD_FILE}")
        gold = _read_gold(gold_path)
        entries.append((slug_dir.name, gold, _article_path(slug_dir, gold, gold_path)))
    if not entries:
        raise GoldDirError(f"{gold_dir}: no gold articles (expected <slug>/{GOLD_FILE} sub-directories)")
    return entries


def evaluate(gold_dir: Path, extract: Callable[[Path], dict[str, Any]]) -> EvalReport:
    """Run ``extract`` on every gold article and score it.

    ``extract`` returns what ``backchannel extract --format json`` prints.  Its errors
    propagate: an article that cannot be extracted is a broken gate, not a zero.
    """
    articles: list[ArticleScore] = []
    for slug, gold, article_path in load_gold_dir(gold_dir):
        output = extract(article_path)
        if not isinstance(output, dict):
            raise BackchannelError(f"{article_path}: extractor returned {type(output).__name__}, not an object")
        signals = list(output.get("signals") or [])
        attributions = list(output.get("attributions") or [])
        articles.append(_score(gold, signals, attributions, slug=slug))
    return EvalReport.from_articles(articles)


# --------------------------------------------------------------------------- floors and report

_FLOOR_METRICS = {
    "signals": ("precision", "recall", "f1", "channel_acc", "when_acc", "sources_acc"),
    "attributions": ("precision", "recall", "f1"),
}
_ALL_ARTICLES_KEY = "attributions_all_articles"
_NEGATIVES_KEY = "negatives_max_signals"


def _fmt(value: float) -> str:
    """0.61 -> "0.61", 0.649 -> "0.649": enough digits to see why a figure missed its floor."""
    return f"{value:.{DIGITS}f}".rstrip("0").rstrip(".") or "0"


def check_floors(report: EvalReport, floors: dict[str, Any], all_articles: bool = False) -> list[str]:
    """Compare the totals with the floors; one human-readable line per failure, [] when all pass.

    Keys starting with ``_`` are comments.  An unknown section or metric raises
    :class:`GoldDirError`, since a misspelt floor would otherwise never fail.
    ``negatives_max_signals`` (None: unchecked) caps the signals predicted on each
    negative article.  ``attributions_all_articles`` is the attributions floor of a run that
    parsed every article (``all_articles``, ``--all-articles``); it replaces ``attributions`` then.
    """
    failures: list[str] = []
    floors = dict(floors)
    all_floor = floors.pop(_ALL_ARTICLES_KEY, None)
    if all_articles and all_floor is not None:
        floors["attributions"] = all_floor
    for section, metrics in floors.items():
        if section.startswith("_"):
            continue
        if section == _NEGATIVES_KEY:
            continue
        if section not in _FLOOR_METRICS or not isinstance(metrics, dict):
            raise GoldDirError(f"floors: unknown section {section!r} (expected {', '.join(_FLOOR_METRICS)})")
        scores: FieldScores = getattr(report, section)
        for metric, floor in metrics.items():
            if metric.startswith("_") or floor is None:
                continue
            if metric not in _FLOOR_METRICS[section]:
                raise GoldDirError(f"floors: unknown metric {section}.{metric}")
            value = getattr(scores, metric)
            if value is None:
                if floor > 0:
                    failures.append(f"{section} {metric} not measured (no matched gold signal has sources) "
                                    f"< floor {_fmt(floor)}")
            elif value < floor:
                failures.append(f"{section} {metric} {_fmt(value)} < floor {_fmt(floor)}")
    cap = floors.get(_NEGATIVES_KEY)
    if cap is not None:
        for article in report.articles:
            counted = article.signals.predicted - article.signals.ignored_repeats
            if article.negative and counted > cap:
                failures.append(f"{article.slug}: {counted} signals on a negative article > max {cap}")
    return failures


def floor_verdict(failures: list[str], floors_path: str | Path) -> int:
    """Print the floor failures on stderr, one line each (or that all hold); the exit status to return."""
    for line in failures:
        print(f"below floor: {line}", file=sys.stderr)
    if not failures:
        print(f"all floors in {floors_path} hold", file=sys.stderr)
    return 1 if failures else 0


def _cell(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _row(name: str, s: SignalScores, a: FieldScores) -> list[str]:
    # Field accuracies mean nothing without matched pairs: show n/a rather than a misleading 0.00.
    has_pairs = s.matched > 0
    return [
        name,
        f"{s.matched}/{s.gold}/{s.predicted - s.ignored_repeats}", _cell(s.precision), _cell(s.recall), _cell(s.f1),
        f"{a.matched}/{a.gold}/{a.predicted}", _cell(a.precision), _cell(a.recall), _cell(a.f1),
        _cell(s.channel_acc if has_pairs else None), _cell(s.when_acc if has_pairs else None),
        _cell(s.sources_acc),
    ]


def format_report(report: EvalReport) -> str:
    """An aligned plain-text table: one row per article, then the micro-averaged total.

    Counts read matched/gold/predicted (signal predictions exclude ignored repeats).
    """
    header = ["article", "signals", "P", "R", "F1", "attrib", "P", "R", "F1", "channel", "when", "sources"]
    rows = [_row(a.slug, a.signals, a.attributions) for a in report.articles]
    total = _row("TOTAL (micro)", report.signals, report.attributions)
    widths = [max(len(r[k]) for r in [header, *rows, total]) for k in range(len(header))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))
        return "  ".join([first, *rest]).rstrip()

    rule = "-" * len(line(header))
    return "\n".join([line(header), rule, *(line(r) for r in rows), rule, line(total)])
