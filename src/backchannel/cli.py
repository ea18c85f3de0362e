"""The command line: thin wrappers, each command calls one library function.

Known errors (``BackchannelError``) become one line on stderr; a bad document
never stops a batch.  Exit status: 0 when every document went through, 1 when
some failed, 2 when none could be read (or the command could not start).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .errors import BackchannelError, InputError
from .records import Article

ARTICLE_SUFFIXES = {".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml", ".json"}
SKIPPED_NAMES = {"readme.md", "readme.txt", "license", "license.md", "gold.json"}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="backchannel",
        description="Who is signalling what about ending a war, in public or through back channels, "
        "according to whom: attributions and negotiation signals from news articles.",
    )
    parser.add_argument("--version", action="version", version=f"backchannel {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    ex = sub.add_parser(
        "extract",
        help="extract attributions and negotiation signals from articles",
        description="Read articles (.txt, .md, .html, article .json, or folders of them) and print their "
        "attributions and negotiation signals. Bad files are reported on stderr; the others are still printed.",
    )
    ex.add_argument("paths", nargs="+", metavar="PATH", help="article files or folders")
    ex.add_argument("--format", choices=("json", "jsonl", "table"), default="json", help="output format (default json)")
    ex.add_argument("--published", default="", metavar="DATE", help="the articles' publication date (overrides theirs)")
    ex.add_argument("--outlet", default="", metavar="NAME", help="the articles' outlet (overrides theirs)")
    ex.add_argument("--actors", default="", metavar="FILE", help="a JSON file of extra actors and aliases")

    ev = sub.add_parser(
        "eval",
        help="score the extractor against a folder of gold articles",
        description="Score the extractor on GOLD_DIR/<slug>/{gold.json,article.json} with the matching rules "
        "of SIGNALS.md; with --floors, exit 1 when a figure falls below its floor.",
    )
    ev.add_argument("gold_dir", metavar="GOLD_DIR", help="folder of gold article folders")
    ev.add_argument("--floors", default="", metavar="FILE", help="JSON file of minimum figures")
    ev.add_argument("--json", action="store_true", help="print the report as JSON")
    ev.add_argument("--actors", default="", metavar="FILE", help="a JSON file of extra actors and aliases")
    return parser


def expand_paths(paths: Sequence[str]) -> list[Path]:
    """Files as given; folders expanded (recursively, sorted) to the article files they hold."""
    out: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for f in sorted(path.rglob("*")):
                if f.is_file() and f.suffix.lower() in ARTICLE_SUFFIXES and f.name.lower() not in SKIPPED_NAMES:
                    out.append(f)
        else:
            out.append(path)
    return out


def cmd_extract(args: argparse.Namespace) -> int:
    from .output import to_json, to_jsonl, to_table
    from .pipeline import Extractor
    from .read import read_path

    files = expand_paths(args.paths)
    articles: list[Article] = []
    failures = 0
    for f in files:
        try:
            articles.append(read_path(f, published=args.published, outlet=args.outlet))
        except InputError as exc:
            failures += 1
            print(f"error: {exc}", file=sys.stderr)
    if not articles:
        if not files:
            print("error: no article files found in " + ", ".join(args.paths), file=sys.stderr)
        return 2
    extractor = Extractor(actors_file=args.actors)
    results = []
    for article in articles:
        try:
            results.append(extractor.extract(article))
        except BackchannelError as exc:
            failures += 1
            print(f"error: {article.source}: {exc}", file=sys.stderr)
        except Exception as exc:  # one document must never stop the batch
            failures += 1
            print(f"error: {article.source}: extraction failed ({type(exc).__name__}: {exc})", file=sys.stderr)
    if results:
        if args.format == "json":
            print(to_json(results, as_list=len(files) > 1 or len(args.paths) > 1 or Path(args.paths[0]).is_dir()))
        elif args.format == "jsonl":
            print(to_jsonl(results))
        else:
            sys.stdout.write(to_table(results))
    if failures:
        return 1 if results else 2
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from .evaluation import check_floors, evaluate, format_report
    from .pipeline import Extractor
    from .read import read_path

    extractor = Extractor(actors_file=args.actors)

    def extract(path: Path) -> dict:
        return extractor.extract(read_path(path)).to_dict()

    report = evaluate(Path(args.gold_dir), extract)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
    else:
        print(format_report(report))
    if args.floors:
        try:
            floors = json.loads(Path(args.floors).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise BackchannelError(f"{args.floors}: cannot read floors ({exc})") from None
        problems = check_floors(report, floors)
        for p in problems:
            print(f"below floor: {p}", file=sys.stderr)
        if problems:
            return 1
        print(f"all floors in {args.floors} hold", file=sys.stderr)
    return 0


COMMANDS = {"extract": cmd_extract, "eval": cmd_eval}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    try:
        return COMMANDS[args.command](args)
    except BackchannelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
