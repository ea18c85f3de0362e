"""The Extractor (Article -> ArticleResult), its settings (``ExtractorSpec``) and its identity (``version``).

One module holds all three because they are one thing: a worker process (``parallel``) or a Spark executor
(``spark_job``) builds its Extractor from the spec, and ``ingest``, ``reprocess``, ``results_io`` and Spark
label what it produced with the spec's version.  Importing this module does not import spaCy (the NLP stack
is imported where an Extractor is built or runs), so a Spark driver that only ships a spec to the executors
and stamps the version on its rows never loads the model.

Every article is tokenized first and scanned for war vocabulary (``nlp/scope.py``); only the ones
about a war are parsed.  In a general news stream that is about one article in ten, and the parse
is nearly all of the cost.  The scan is the signal rules' own first test, run on the tokenizer's
output, so it skips nothing that could have given a signal; what it gives up is the attributions
of articles that are not about a war (a coach quoted after a match), which are outside what this
tool is for.  ``all_articles=True`` parses everything, for users who want those attributions too.

Within an article about a war, the default (gated) mode parses only the sentences the learned
decision's candidate gate needs (``nlp/subset.py``: the rest is blanked, offsets unchanged) and lets
the encoder read only the pairs the linear scorer leaves open (``nlp/cascade.py``); ``full_parse=True``
parses and scores everything, as before.  The mode is part of the version (``parse_mode``).

The article's date and outlet are set on the Doc before the components run, because ``when`` is
resolved against the date and the article's own outlet is left out of every chain of reporting.
"""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from .. import __version__
from ..errors import ModelError
from ..model.choice import RULES, model_digest, resolve_signal_model
from ..nlp.guard import ParseText, parse_text
from ..nlp.loading import spacy_model_identity
from ..records import ActorInfo, Article, ArticleResult, Attribution, Signal

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

T = TypeVar("T")

#: Where ``Extractor._doc`` leaves, on the Doc, how many characters of the article were not parsed.
SKIPPED_CHARS = "bc_skipped_chars"

#: Articles read ahead per ``nlp.pipe`` call, as a multiple of the batch size.  Bounded, so that a long
#: run of skipped articles neither holds the stream in memory nor delays the results before it.
CHUNK_BATCHES = 4


@dataclass(frozen=True)
class ExtractorSpec:
    """The settings of an Extractor, as a small picklable value; calling it builds one (loading spaCy).

    ``signal_model`` is '' (the default decision of ``model.choice``), 'rules', or a model folder; it is
    resolved to an absolute folder on creation, so that a worker process or a Spark executor loads the
    folder that the version describes."""

    actors_file: str = ""
    all_articles: bool = False
    signal_model: str = ""
    quantized: bool = False  # the int8 weights of the signal model (training compares both)
    conflicts_file: str = ""
    full_parse: bool = False  # parse every sentence of an article about a war, not only those the gate needs

    def __post_init__(self) -> None:
        object.__setattr__(self, "signal_model", resolve_signal_model(self.signal_model))

    @classmethod
    def from_flags(cls, args: argparse.Namespace) -> ExtractorSpec:
        """The spec the flags of ``add_extraction_flags`` describe."""
        return cls(actors_file=args.actors, conflicts_file=args.conflicts, all_articles=args.all_articles,
                   signal_model=args.signal_model, full_parse=getattr(args, "full_parse", False))

    @property
    def version(self) -> str:
        """What the extractor built from this spec stamps on everything it produces (``extractor_version``)."""
        return extractor_version(self.actors_file, self.all_articles, self.signal_model, self.quantized,
                                 self.conflicts_file, self.full_parse)

    def __call__(self) -> Extractor:
        return Extractor(actors_file=self.actors_file, all_articles=self.all_articles,
                         signal_model=self.signal_model, quantized=self.quantized,
                         conflicts_file=self.conflicts_file, full_parse=self.full_parse)


def add_extraction_flags(p: argparse.ArgumentParser) -> None:
    """The extraction settings every extracting command shares (the CLI's and ``spark-extract``'s), defined
    once: the users' actors and conflicts, what is parsed, what decides.  ``ExtractorSpec.from_flags`` reads
    them back."""
    p.add_argument("--actors", default="", metavar="FILE", help="a JSON file of extra actors and aliases")
    p.add_argument("--conflicts", default="", metavar="FILE",
                   help="a JSON (or YAML) file of extra conflicts, in the format of the bundled conflicts.json")
    p.add_argument("--all-articles", action="store_true",
                   help="parse every article; by default articles with no war vocabulary are skipped before "
                   "parsing (they cannot hold a signal) and get no attributions; implies --full-parse")
    p.add_argument("--full-parse", action="store_true",
                   help="parse every sentence of an article about a war; by default only the sentences that can "
                   "hold a signal and those they need (attribution, coreference) are parsed, so attributions "
                   "elsewhere in the article are not extracted")
    p.add_argument("--signal-model", default="", metavar="DIR|rules",
                   help="what decides the signals: the shipped model (default), 'rules' for the hand-written rules, "
                   "or a model folder written by `backchannel train`")


class LazyExtractor:
    """The Extractor of a spec, built on the first call and kept: for a long-running process that extracts
    now and then (the web app's ingest endpoint), so that starting it does not load the model.  It carries
    the spec, so ``ingest`` knows the version before anything is built."""

    def __init__(self, spec: ExtractorSpec) -> None:
        self.spec = spec
        self._built: Extractor | None = None

    def __call__(self) -> Extractor:
        if self._built is None:
            self._built = self.spec()
        return self._built


#: The packages whose source decides what is extracted from a stored text (reading and storing do not).
EXTRACTION_CODE = ("backchannel.nlp", "backchannel.model")


@lru_cache(maxsize=8)
def extractor_version(actors_file: str = "", all_articles: bool = False, signal_model: str = "",
                      quantized: bool = False, conflicts_file: str = "", full_parse: bool = False) -> str:
    """``VERSION+DATA+DECISION+MODE[+q]``: the package version; a digest of the extraction code
    (``EXTRACTION_CODE``) and of the rule data (lexicons, the
    actor registry and the conflicts, a user's --actors and --conflicts files) and of the spaCy model's name and version; the signal model's
    digest (``model.choice.model_digest``) or ``rules``; and the options.  Each of these changes what is
    extracted, so a change in any of them must make the stored articles due for ``reprocess``, as a code
    release does.  MODE is what is parsed: ``all`` (``--all-articles``: every article, every sentence),
    ``full`` (``--full-parse``, and always with the rules: every sentence of the articles about a war) or
    ``gated`` (the default: the sentences the candidate gate needs, ``nlp/subset.py``); ``+q`` marks the int8
    weights."""
    digest = hashlib.sha256()
    for package in EXTRACTION_CODE:  # the code that decides: a change to a rule is a new extractor, released or not
        code = resources.files(package)
        for name in sorted(p.name for p in code.iterdir() if p.name.endswith(".py")):
            digest.update(f"{package}/{name}".encode())
            digest.update(code.joinpath(name).read_bytes())
    folder = resources.files("backchannel.nlp.lexicons")
    for name in sorted(p.name for p in folder.iterdir() if p.name.endswith(".json")):
        digest.update(name.encode())
        digest.update(folder.joinpath(name).read_bytes())
    for kind, user_file in (("actors", actors_file), ("conflicts", conflicts_file)):
        if user_file:
            digest.update(kind.encode())  # the same file given as the other kind extracts differently
            try:
                digest.update(Path(user_file).read_bytes())
            except OSError:
                pass  # the extractor reports an unreadable file itself
    try:
        digest.update(spacy_model_identity().encode())
    except ModelError:
        pass  # no pipeline installed: building the extractor says so, in one line
    model = resolve_signal_model(signal_model)
    decision = RULES if model == RULES else "m" + model_digest(Path(model))[:10]
    options = f"+{parse_mode(all_articles, full_parse, model)}" + ("+q" if quantized else "")
    return f"{__version__}+{digest.hexdigest()[:10]}+{decision}{options}"


def parse_mode(all_articles: bool, full_parse: bool, signal_model: str) -> str:
    """What is parsed: ``all`` articles, the ``full`` text of those about a war, or only the sentences the
    learned decision's candidate gate needs (``gated``).  The hand-written rules read every sentence with a
    topic word, which the gate does not describe, so they always get the full parse."""
    if all_articles:
        return "all"
    if full_parse or resolve_signal_model(signal_model) == RULES:
        return "full"
    return "gated"


@dataclass(frozen=True)
class ExtractionFailure:
    """An article the extractor could not process; the batch it came in goes on without it."""

    article: Article
    reason: str


class Extractor:
    """Holds a loaded pipeline; ``extract`` and ``extract_many`` are pure functions of the article."""

    def __init__(self, actors_file: str = "", nlp: Language | None = None, all_articles: bool = False,
                 signal_model: str = "", quantized: bool = False, conflicts_file: str = "",
                 full_parse: bool = False) -> None:
        """``signal_model``: '' the default decision (``model.choice``), 'rules', or a model folder.
        ``nlp``: a pipeline already loaded with the same settings (tests share one)."""
        from ..nlp.loading import load_pipeline

        self.spec = ExtractorSpec(actors_file=actors_file, all_articles=all_articles, signal_model=signal_model,
                                  quantized=quantized, conflicts_file=conflicts_file, full_parse=full_parse)
        self.nlp = nlp or load_pipeline(actors_file=actors_file, signals=self.signal_model, quantized=quantized,
                                        conflicts_file=conflicts_file)

    @property
    def all_articles(self) -> bool:
        return self.spec.all_articles

    @property
    def full_parse(self) -> bool:
        """Every sentence of a parsed article goes through the parser (``--full-parse``, ``--all-articles``)."""
        return parse_mode(self.spec.all_articles, self.spec.full_parse, self.spec.signal_model) != "gated"

    @property
    def signal_model(self) -> str:
        """The decision in use: 'rules' or an absolute model folder."""
        return self.spec.signal_model

    @property
    def version(self) -> str:
        return self.spec.version

    def _doc(self, article: Article, guarded: ParseText | None = None) -> Doc:
        """The article's tokenized Doc: the single place where text enters the NLP pipeline, so the text
        spaCy cannot handle is cut first (``nlp.guard``, unless ``guarded`` is that cut already); the Doc
        remembers how much was cut."""
        guarded = guarded if guarded is not None else parse_text(article.text)
        doc = self.nlp.make_doc(guarded.text)
        doc.user_data[SKIPPED_CHARS] = guarded.skipped_chars
        doc._.bc_published = article.published
        doc._.bc_outlet = article.outlet
        doc._.bc_title = article.title
        return doc

    def _may_parse(self, article: Article, guarded: ParseText) -> bool:
        """The tests that need no tokens, cheapest first: with ``--all-articles`` everything is parsed;
        else an article with no war word in its raw text cannot pass the scan (``scope.mentions_scope_word``),
        and in the default (gated) mode one the model's article filter rules out is not parsed either
        (``model/relevance.py``; the decision component gives it no signal in any mode, and ``--full-parse``
        still parses it for its attributions).  Most of a news stream stops here, untokenized."""
        from ..nlp.scope import mentions_scope_word

        if self.all_articles:
            return True
        if not mentions_scope_word(guarded.text):
            return False
        if self.full_parse or "backchannel_decision" not in self.nlp.pipe_names:
            return True
        return self.nlp.get_pipe("backchannel_decision").model.relevance.article_relevant(article.title or "",
                                                                                         guarded.text)

    def _needs_parse(self, doc: Doc) -> bool:
        """The pre-parse scan, on the tokens of an article ``_may_parse`` let through."""
        from ..nlp.scope import is_about_war

        return self.all_articles or is_about_war(doc)

    def _to_parse(self, doc: Doc) -> Doc:
        """The Doc the parser gets for an article about a war: the article's own, or in the default mode a
        Doc of the same text with the sentences no signal needs blanked (``nlp/subset.py``), so parsing
        costs only what can hold a signal while every offset stays the article's.  The blanked Doc carries
        the scan's verdict and the whole text, which the components read for what concerns the article
        as a whole (is it about a war, which war)."""
        if self.full_parse:
            return doc
        from ..nlp.context import ARTICLE_TEXT
        from ..nlp.factories import ARTICLE_PASSED, GATED
        from ..nlp.scope import ABOUT_WAR
        from ..nlp.subset import select

        doc.user_data[GATED] = True
        relevance = (self.nlp.get_pipe("backchannel_decision").model.relevance
                     if "backchannel_decision" in self.nlp.pipe_names else None)
        doc.user_data[ARTICLE_PASSED] = relevance is not None  # ``_may_parse`` asked the article filter
        worth = relevance.worth_parsing if relevance is not None and relevance.sentence_parse_floor else None
        selection = select(doc, worth)
        if selection.text == doc.text:
            return doc
        part = self.nlp.make_doc(selection.text)
        part.user_data.update(doc.user_data)
        part.user_data[ABOUT_WAR] = True
        part.user_data[ARTICLE_TEXT] = doc.text
        part._.bc_published, part._.bc_outlet, part._.bc_title = doc._.bc_published, doc._.bc_outlet, doc._.bc_title
        return part

    def extract(self, article: Article) -> ArticleResult:
        guarded = parse_text(article.text)
        if not self._may_parse(article, guarded):
            return unparsed_result(article, guarded.skipped_chars)
        doc = self._doc(article, guarded)
        if not self._needs_parse(doc):
            return unparsed_result(article, guarded.skipped_chars)
        return to_result(article, self.nlp(self._to_parse(doc)))

    def extract_many(self, articles: Iterable[Article], batch_size: int = 16) -> Iterator[ArticleResult]:
        """Results in input order.  Memory stays bounded by one chunk of ``batch_size * CHUNK_BATCHES``."""
        for chunk in in_chunks(articles, batch_size * CHUNK_BATCHES):
            yield from self._extract_chunk(chunk, batch_size)

    def _extract_chunk(self, chunk: list[Article], batch_size: int) -> Iterator[ArticleResult]:
        guarded = [parse_text(article.text) for article in chunk]
        docs = [self._doc(a, g) if self._may_parse(a, g) else None for a, g in zip(chunk, guarded, strict=True)]
        wanted = [doc is not None and self._needs_parse(doc) for doc in docs]
        parsed = iter(self.nlp.pipe((self._to_parse(d) for d, w in zip(docs, wanted, strict=True) if w and d),
                                    batch_size=batch_size))
        for article, g, want in zip(chunk, guarded, wanted, strict=True):
            yield to_result(article, next(parsed)) if want else unparsed_result(article, g.skipped_chars)

    def extract_each(self, batch: list[Article], batch_size: int = 16) -> Iterator[ArticleResult | ExtractionFailure]:
        """The one "a bad article never stops the batch" loop (worker processes, ``extract``, ``ingest``
        and Spark all go through it): the batch's results in order, each as soon as it is ready (a supervising process counts them
        to know which article a stalled worker was on).  When the batch fails, the articles not yet
        returned are redone one at a time so that only the faulty document is lost.  A ``ModelError``
        (no usable pipeline) is not a bad document: it is raised, since every article would fail the same way."""
        done = 0
        try:
            for result in self.extract_many(batch, batch_size=batch_size):
                done += 1
                yield result
            return
        except ModelError:
            raise
        except Exception:  # noqa: BLE001  (any other failure: find the article that caused it)
            pass
        for article in batch[done:]:
            try:
                result = self.extract(article)
            except ModelError:
                raise
            except Exception as exc:  # noqa: BLE001  (one article must not stop the batch)
                yield ExtractionFailure(article, f"extraction failed ({type(exc).__name__}: {str(exc)[:200]})")
                continue
            yield result


def in_chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of at most ``size`` items, read lazily from ``items``."""
    stream = iter(items)
    while chunk := list(islice(stream, size)):
        yield chunk


def unparsed_result(article: Article, skipped_chars: int) -> ArticleResult:
    """The result of an article the pre-parse scan found not about a war (or, in the default mode, that the
    model's article filter ruled out: ``Extractor._may_parse``)."""
    return ArticleResult(article=article, about_war=False, skipped_chars=skipped_chars)


def to_result(article: Article, doc: Doc) -> ArticleResult:
    from ..nlp.factories import results_of

    data = results_of(doc)
    attributions = [
        Attribution(**{**a, **{k: tuple(a[k]) if a[k] else None for k in ("speaker_span", "cue_span", "content_span")}})
        for a in data["attributions"]
    ]
    origins = data.get("origins") or [""] * len(data["signals"])
    signals = [
        Signal(**{**s, "evidence_span": tuple(s["evidence_span"]) if s["evidence_span"] else None}, origin=origin)
        for s, origin in zip(data["signals"], origins, strict=True)
    ]
    skipped = doc.user_data.get(SKIPPED_CHARS, 0)
    if skipped:  # the parsed text had blanks where the article has cut words: quote the article itself
        for a in attributions:
            if a.content_span:
                a.content = article.text[a.content_span[0]:a.content_span[1]]
        for s in signals:
            if s.evidence_span:
                s.evidence = article.text[s.evidence_span[0]:s.evidence_span[1]]
    actors = [ActorInfo(a["name"], a["kind"], a["country"], tuple(a["aliases"])) for a in data.get("actors") or []]
    return ArticleResult(article=article, attributions=attributions, signals=signals,
                         explanations=list(data.get("explanations") or []), skipped_chars=skipped, actors=actors)
