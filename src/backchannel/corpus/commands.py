"""``backchannel corpus ...``: show, anchor, check and compare annotations of the shared corpus.

Each subcommand calls one function of this package and prints one line per
problem; the CLI module only registers them (``add_corpus_commands``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from backchannel.corpus.anchor import anchor
from backchannel.corpus.annotations import (
    annotation_files,
    check_annotation,
    dump_annotation,
    read_annotation,
)
from backchannel.corpus.texts import CorpusError, load_corpus
from backchannel.evaluation.scoring import floor_verdict


def add_corpus_commands(sub: argparse._SubParsersAction) -> None:
    corpus = sub.add_parser(
        "corpus", help="annotate and check the real-news corpus (annotations hold spans, never text)",
        description="Tools for the shared corpus of real articles: print an article for an annotator, turn "
        "a draft with quoted evidence into an annotation file of spans, validate annotation files, and "
        "measure the agreement of two independent readings.")
    csub = corpus.add_subparsers(dest="corpus_command", metavar="SUBCOMMAND", required=True)

    show = csub.add_parser("show", help="print a corpus article (metadata, then text) for reading",
                           description="Print one corpus article: title, outlet, date, then the text.")
    show.add_argument("article_id", metavar="ID")
    _corpus_flag(show)
    show.set_defaults(corpus_func=cmd_show)

    anc = csub.add_parser(
        "anchor", help="turn drafts (quoted words) into annotation files (character spans)",
        description="Read drafts in the gold format of docs/SCHEMA.md plus 'id' and 'annotator', find every "
        "quoted evidence, term and content in the article text, and write OUT/<id>.json with spans. A draft "
        "with a quote that is not in the text is reported and not written.")
    anc.add_argument("drafts", nargs="+", metavar="DRAFT", help="draft JSON files")
    anc.add_argument("--out", required=True, metavar="DIR", help="folder for the annotation files")
    _corpus_flag(anc)
    anc.set_defaults(corpus_func=cmd_anchor)

    chk = csub.add_parser(
        "check", help="validate annotation files against the corpus",
        description="Validate every DIR/*.json: labels, spans inside the text, the text's sha256, no "
        "duplicate signal. Prints one line per problem and exits 1 when there is any.")
    chk.add_argument("folder", metavar="DIR")
    _corpus_flag(chk)
    chk.set_defaults(corpus_func=cmd_check)

    agr = csub.add_parser(
        "agree", help="signal agreement of two independent readings of the same articles",
        description="Score reading B against reading A with the matching rules of docs/SCHEMA.md, over the "
        "articles annotated in both folders: signal P/R/F1 and a stance confusion table.")
    agr.add_argument("first", metavar="DIR_A")
    agr.add_argument("second", metavar="DIR_B")
    agr.add_argument("--json", action="store_true", help="print the figures as JSON")
    agr.add_argument("--diff", action="store_true",
                     help="print, per article, the signals only one reading has and the fields they differ on")
    _corpus_flag(agr)
    agr.set_defaults(corpus_func=cmd_agree)


    stm = csub.add_parser(
        "stream", help="false alarms on the unannotated stream: signals per 100 articles, scan pass share",
        description="Run the extractor over stream.jsonl and print the signals per 100 articles, the share "
        "of articles the pre-parse scan lets through, and the articles with signals. --sample N writes N "
        "signals drawn at random (with --seed), with their context, to --sample-out for judging by hand.")
    stm.add_argument("--sample", type=int, default=0, metavar="N", help="signals to draw for judging")
    stm.add_argument("--seed", type=int, default=100, help="seed of the draw (default 100)")
    stm.add_argument("--sample-out", default="", metavar="FILE",
                     help="where to write the sample (it holds article text: keep it out of the repository)")
    stm.add_argument("--json", action="store_true", help="print the figures as JSON")
    stm.add_argument("--split", choices=("all", "train", "dev"), default="all",
                     help="the stream's half to run on (each article's id fixes its half; the train half may be "
                          "annotated and learned from, so precision is measured on the dev half)")
    stm.add_argument("--signal-model", default="", metavar="DIR|rules",
                     help="what decides the signals: the shipped model (default), 'rules', or a model folder")
    _corpus_flag(stm)
    stm.set_defaults(corpus_func=cmd_stream)


def _corpus_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus", required=True, metavar="PATH",
                        help="the corpus folder (holding annotate.jsonl) or the JSONL file")


def cmd_corpus(args: argparse.Namespace) -> int:
    return args.corpus_func(args)


def cmd_show(args: argparse.Namespace) -> int:
    articles = load_corpus(Path(args.corpus))
    article = articles.get(args.article_id)
    if article is None:
        raise CorpusError(f"{args.article_id}: no such article in {args.corpus}")
    print(f"id: {article.id}\ntitle: {article.title}\noutlet: {article.outlet}\n"
          f"published: {article.published or '(unknown)'}\n\n{article.text}")
    return 0


def cmd_anchor(args: argparse.Namespace) -> int:
    articles = load_corpus(Path(args.corpus))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    failed = 0
    for name in args.drafts:
        path = Path(name)
        try:
            draft = read_annotation(path)
        except (OSError, ValueError) as exc:
            print(f"{path}: cannot read ({exc})", file=sys.stderr)
            failed += 1
            continue
        article = articles.get(draft.get("id", ""))
        if article is None:
            print(f"{path}: id {draft.get('id')!r} is not an article of the corpus", file=sys.stderr)
            failed += 1
            continue
        annotation, problems = anchor(draft, article)
        target = out / f"{article.id}.json"
        problems += [p.message if not p.where else f"{p.where}: {p.message}"
                     for p in check_annotation(target, annotation, article)]
        if problems:
            failed += 1
            for p in problems:
                print(f"{path}: {p}", file=sys.stderr)
            continue
        target.write_text(dump_annotation(annotation), encoding="utf-8")
        print(f"{path} -> {target}: {len(annotation['signals'])} signals, "
              f"{len(annotation['attributions'])} attributions")
    return 1 if failed else 0


def cmd_check(args: argparse.Namespace) -> int:
    articles = load_corpus(Path(args.corpus))
    folder = Path(args.folder)
    if not folder.is_dir():
        raise CorpusError(f"{folder}: not a folder of annotation files")
    files = annotation_files(folder)
    problems = 0
    for path in files:
        try:
            data = read_annotation(path)
        except (OSError, ValueError) as exc:
            print(f"{path}: cannot read ({exc})")
            problems += 1
            continue
        for problem in check_annotation(path, data, articles.get(str(data.get("id")))):
            print(problem)
            problems += 1
    print(f"{len(files)} files, {problems} problems", file=sys.stderr)
    return 1 if problems or not files else 0


def cmd_agree(args: argparse.Namespace) -> int:
    from backchannel.corpus.agreement import agreement, disagreements, format_agreement, format_disagreements

    if args.diff:
        print(format_disagreements(disagreements(Path(args.first), Path(args.second),
                                                 load_corpus(Path(args.corpus)))))
        return 0
    report = agreement(Path(args.first), Path(args.second), load_corpus(Path(args.corpus)))
    print(json.dumps(report, indent=1) if args.json else format_agreement(report))
    return 0


def cmd_stream(args: argparse.Namespace) -> int:
    from backchannel.corpus.stream import run_stream, sample_signals
    from backchannel.corpus.texts import STREAM_FILE, corpus_file, iter_corpus, stream_split
    from backchannel.jobs.extractor import Extractor
    if args.sample and not args.sample_out:
        raise CorpusError("--sample needs --sample-out FILE")
    stream = [a for a in iter_corpus(corpus_file(Path(args.corpus), STREAM_FILE))
              if args.split in ("all", a.split or stream_split(a.id))]
    extractor = Extractor(signal_model=args.signal_model)
    results = extractor.extract_many(a.to_article() for a in stream)
    run = run_stream((a, r.to_dict()) for a, r in zip(stream, results, strict=True))
    figures = run.figures()
    if args.json:
        print(json.dumps(figures, indent=1))
    else:
        print(f"{figures['articles']} stream articles: {figures['signals']} signals "
              f"({figures['signals_per_100_articles']} per 100 articles) in {figures['articles_with_signals']} "
              f"articles; the pre-parse scan lets through {figures['scan_pass_share']:.1%}")
    if args.sample:
        sample = sample_signals(run, args.sample, args.seed)
        Path(args.sample_out).write_text(json.dumps(sample, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"{len(sample)} signals drawn with seed {args.seed} -> {args.sample_out}", file=sys.stderr)
    return 0


def predict_with(extractor):
    """A ``Predict`` over the project's extractor: each gold article's text and metadata, in one stream."""
    def predict(golds):
        golds = list(golds)
        articles = (g.article.to_article() for g in golds)
        for gold, result in zip(golds, extractor.extract_many(articles), strict=True):
            yield gold, result.to_dict()

    return predict


def predict_from_file(path: Path):
    """A ``Predict`` reading a saved run: one JSON object a line with the article ``id``, ``signals``
    and ``attributions`` (``extract --format json`` output plus the id).  An article missing from the
    file is an error, not an empty prediction: a partial run must not pass for a cautious one."""

    def predict(golds):
        saved: dict[str, dict] = {}
        try:
            with path.open(encoding="utf-8") as fh:
                for lineno, line in enumerate(fh, 1):
                    if line.strip():
                        row = json.loads(line)
                        if not isinstance(row, dict) or not isinstance(row.get("id"), str):
                            raise CorpusError(f"{path}:{lineno}: expected an object with an 'id'")
                        saved[row["id"]] = row
        except (OSError, ValueError) as exc:
            raise CorpusError(f"{path}: cannot read predictions ({exc})") from None
        for gold in golds:
            if gold.article.id not in saved:
                raise CorpusError(f"{path}: no prediction for {gold.article.id}")
            yield gold, saved[gold.article.id]

    return predict


def eval_corpus(args: argparse.Namespace) -> int:
    """``backchannel eval --corpus PATH --annotations DIR``: report, and check or pin the floors."""
    from backchannel.corpus import floors as gate
    from backchannel.corpus.evaluate import evaluate_corpus, format_corpus_report
    from backchannel.corpus.gold import load_split, split_digest

    if not (args.corpus and args.annotations):
        raise CorpusError("eval on the corpus needs both --corpus PATH and --annotations DIR")
    if args.gold_dir:
        raise CorpusError("give either GOLD_DIR or --corpus/--annotations, not both")
    if (args.pin_floors or args.allow_regression) and not args.floors:
        raise CorpusError("--pin-floors and --allow-regression need --floors FILE")
    corpus, annotations = Path(args.corpus), Path(args.annotations)
    golds = load_split(corpus, annotations, args.split)
    if args.predictions:
        predict = predict_from_file(Path(args.predictions))
    else:
        from backchannel.jobs.extractor import ExtractorSpec

        predict = predict_with(ExtractorSpec.from_flags(args)())
    result = evaluate_corpus(golds, predict, split=args.split)
    result.digest = split_digest(corpus, golds)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=1))
    else:
        print(format_corpus_report(result))
    if not args.floors:
        return 0
    path = Path(args.floors)
    if args.pin_floors:
        data, refusals = gate.pin(result, gate.read_floors(path) if path.exists() else None, args.allow_regression)
        for line in refusals:
            print(f"refused: {line} (use --allow-regression REASON)", file=sys.stderr)
        if refusals:
            return 1
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"floors pinned in {path}", file=sys.stderr)
        return 0
    return floor_verdict(gate.check(result, gate.read_floors(path)), path)
