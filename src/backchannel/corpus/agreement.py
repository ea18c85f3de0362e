"""Agreement of two independent readings of the same articles, with the scorer's own matching.

Reading B is scored as if it were a prediction against reading A, so the figure
answers the question the gate asks of the extractor: how well would a careful
reader score against our gold?  Both directions are given (aliases come from
the side taken as gold, so they can differ slightly), with a stance confusion
table and per-field agreement on matched signals.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from backchannel.corpus.annotations import annotation_files, check_annotation, materialize, read_annotation
from backchannel.corpus.evaluate import evaluate_corpus, format_confusion
from backchannel.corpus.gold import GoldArticle
from backchannel.corpus.texts import CorpusArticle, CorpusError


def _read_folder(folder: Path, articles: dict[str, CorpusArticle]) -> dict[str, GoldArticle]:
    if not folder.is_dir():
        raise CorpusError(f"{folder}: not a folder of annotation files")
    out = {}
    for path in annotation_files(folder):
        data = read_annotation(path)
        article = articles.get(str(data.get("id")))
        problems = check_annotation(path, data, article)
        if problems:
            raise CorpusError(str(problems[0]))
        assert article is not None
        out[article.id] = GoldArticle(article, materialize(data, article), path)
    return out


def _as_prediction(gold: dict[str, Any]) -> dict[str, Any]:
    return {"signals": gold["signals"], "attributions": gold["attributions"]}


def _scored(gold_side: dict[str, GoldArticle], pred_side: dict[str, GoldArticle], ids: list[str]):
    def predict(golds) -> Iterator[tuple[GoldArticle, dict[str, Any]]]:
        for g in golds:
            yield g, _as_prediction(pred_side[g.article.id].gold)

    return evaluate_corpus([gold_side[i] for i in ids], predict, split="double")


def agreement(first: Path, second: Path, articles: dict[str, CorpusArticle]) -> dict[str, Any]:
    """Figures over the articles annotated in both folders (an error if there are none)."""
    a, b = _read_folder(first, articles), _read_folder(second, articles)
    ids = sorted(set(a) & set(b))
    if not ids:
        raise CorpusError(f"{first} and {second} have no article in common")
    ab, ba = _scored(a, b, ids), _scored(b, a, ids)
    s = ab.report.signals
    per_article = [{"id": x.slug, "kind": ab.kinds[x.slug], "split": a[x.slug].article.split,
                    "a": x.signals.gold, "b": x.signals.predicted, "matched": x.signals.matched,
                    "f1": x.signals.f1} for x in ab.report.articles]
    return {
        "articles": len(ids),
        "dev_articles": sum(1 for i in ids if a[i].article.split == "dev"),
        "signals_a": s.gold, "signals_b": s.predicted, "matched": s.matched,
        "f1_b_against_a": s.f1, "precision_b_against_a": s.precision, "recall_b_against_a": s.recall,
        "f1_a_against_b": ba.report.signals.f1,
        "channel_agreement": s.channel_acc, "when_agreement": s.when_acc, "sources_agreement": s.sources_acc,
        "stance_confusion": ab.confusion,
        "per_article": per_article,
    }


def disagreements(first: Path, second: Path, articles: dict[str, CorpusArticle]) -> list[dict[str, Any]]:
    """Per article read twice, the signals of each reading that the other one lacks (for adjudication)."""
    from backchannel.evaluation.scoring import _match_signals

    a, b = _read_folder(first, articles), _read_folder(second, articles)
    out = []
    for aid in sorted(set(a) & set(b)):
        ga, gb = a[aid].gold["signals"], b[aid].gold["signals"]
        pairs = _match_signals(ga, gb)
        matched_a = {i for i, _ in pairs.pairs}
        matched_b = {j for _, j in pairs.pairs} | pairs.ignored
        field_diffs = [{"a": ga[i]["id"], "b": gb[j]["id"],
                        **{k: [ga[i][k], gb[j][k]] for k in ("topic", "channel", "when", "sources")
                           if ga[i][k] != gb[j][k]}} for i, j in pairs.pairs]
        out.append({"id": aid, "only_a": [g for i, g in enumerate(ga) if i not in matched_a],
                    "only_b": [g for j, g in enumerate(gb) if j not in matched_b],
                    "field_diffs": [d for d in field_diffs if len(d) > 2]})
    return out


def format_disagreements(items: list[dict[str, Any]]) -> str:
    def sig(s: dict[str, Any]) -> str:
        return (f"    {s['id']}: {s['actor']} | {s['stance']} {s['topic']} {s['channel']} {s['when']} "
                f"{s['sources']} | {s['evidence']!r}")

    lines = []
    for item in items:
        if not (item["only_a"] or item["only_b"] or item["field_diffs"]):
            continue
        lines.append(f"== {item['id']}")
        lines += ["  only in A:"] + [sig(s) for s in item["only_a"]] if item["only_a"] else []
        lines += ["  only in B:"] + [sig(s) for s in item["only_b"]] if item["only_b"] else []
        for d in item["field_diffs"]:
            diffs = ", ".join(f"{k} A={v[0]!r} B={v[1]!r}" for k, v in d.items() if k not in ("a", "b"))
            lines.append(f"  A {d['a']} = B {d['b']}: {diffs}")
    return "\n".join(lines)


def format_agreement(report: dict[str, Any]) -> str:
    lines = [
        f"{report['articles']} articles read twice ({report['dev_articles']} dev): "
        f"{report['signals_a']} signals in A, {report['signals_b']} in B, {report['matched']} matched",
        f"signal F1, B scored against A: {report['f1_b_against_a']:.3f} "
        f"(P {report['precision_b_against_a']:.3f}, R {report['recall_b_against_a']:.3f}); "
        f"A against B: {report['f1_a_against_b']:.3f}",
        f"on matched signals: channel {report['channel_agreement']:.3f}, when {report['when_agreement']:.3f}, "
        "sources " + ("n/a" if report["sources_agreement"] is None else f"{report['sources_agreement']:.3f}"),
        "",
        "stance confusion (A down, B across; none = no signal on that side):",
        format_confusion(report["stance_confusion"]),
        "",
        "per article (A signals / B signals / matched, F1):",
    ]
    for x in report["per_article"]:
        lines.append(f"  {x['id']}  {x['split']:<5} {x['kind']:<12} {x['a']:>3} {x['b']:>3} {x['matched']:>3}  {x['f1']:.2f}")
    return "\n".join(lines)
