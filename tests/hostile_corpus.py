"""A generated corpus of hostile documents, with what ``extract`` and ``ingest`` must make of each.

Never stored: ``tests/test_hostile.py`` and ``tests/fuzz_hostile.py`` write it into a temporary folder.
Each ``Hostile`` knows its exact outcome: how many one-line errors (naming the file) and how many
articles it gives, and whether the article's text is partly left out of the parse (``skipped``).
``corpus()`` is the fixed set the test runs; ``variant()`` draws one of many small seeded variations
of the same families for the fuzz run.
"""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

MB = 1024 * 1024


@dataclass(frozen=True)
class Hostile:
    """One generated file and its exact expected outcome."""

    name: str
    data: bytes
    errors: int = 0  # one-line errors naming this file
    articles: int = 0  # articles it gives (with their ``dispatch N`` markers)
    skipped: bool = False  # the article's result reports skipped_chars
    markers: tuple[str, ...] = ()


def good_text(n: int) -> str:
    """Two sentences of war news (a signal) ending in the unique marker ``dispatch n``."""
    return (f"Hamas said on Monday that it was ready for talks on a ceasefire, officials in Cairo said. "
            f"Mediators in Doha urged Israel to accept a truce deal, a spokesman said. This is dispatch {n}.")


def marker(n: int) -> str:
    return f"dispatch {n}"


def page(n: int, *, head: str = "", body_attrs: str = "", extra: str = "") -> str:
    """A news page whose article is ``good_text(n)``."""
    first, second = good_text(n).split(". ", 1)
    return (f"<!DOCTYPE html><html><head><title>Dispatch {n}</title>{head}</head><body{body_attrs}>{extra}"
            f"<article><h1>Dispatch {n}</h1><p>{first}.</p><p>{second}</p></article></body></html>")


def article_json(n: int, **fields: str) -> str:
    record = {"title": f"Dispatch {n}", "outlet": "Hostile Desk", "published": "2025-03-14",
              "url": f"https://news.example/{n}", "text": good_text(n)}
    record.update(fields)
    return json.dumps(record)


# --- the families ------------------------------------------------------------------------------------


def surrogate_json(n: int, field: str) -> Hostile:
    """A lone surrogate in one field: replaced by U+FFFD; in ``published`` it is then not a date."""
    value = {"text": good_text(n) + " \ud800", "published": "2025-03-14\ud800"}.get(field, f"Field \udc00 {n}")
    raw = article_json(n, **{field: value})  # json.dumps writes the surrogate as a \ud800 escape
    if field == "published":
        return Hostile(f"surrogate-{field}-{n}.json", raw.encode(), errors=1)
    return Hostile(f"surrogate-{field}-{n}.json", raw.encode(), articles=1, markers=(marker(n),))


def surrogate_html(n: int) -> Hostile:
    text = page(n).replace("Hamas", "Ha&#xD800;mas").replace("<title>", "<title>&#xDC00;")
    return Hostile(f"surrogate-{n}.html", text.encode(), articles=1, markers=(marker(n),))


def control_metadata(n: int) -> Hostile:
    raw = article_json(n, title="\u001b[2J\u001b[31mRed\u0000 title\u0085", author="A\u0007uthor\u200b")
    return Hostile(f"controls-{n}.json", raw.encode(), articles=1, markers=(marker(n),))


def bidi_text(n: int) -> Hostile:
    text = ("\u202eHa\u200bmas\u202c said\u200d it was \u2067ready\u2069 \u200ffor\ufeff talks. "
            "قالت حماس إنها مستعدة لوقف إطلاق النار. ") * 20 + good_text(n)
    return Hostile(f"bidi-{n}.txt", text.encode(), articles=1, markers=(marker(n),))


def html_deep(n: int, depth: int) -> Hostile:
    data = page(n, extra="<div>" * depth + "x" + "</div>" * depth).encode()
    return Hostile(f"deep-{depth}-{n}.html", data, errors=1)


def html_elements(n: int, count: int) -> Hostile:
    return Hostile(f"elements-{count}-{n}.html", page(n, extra="<p>x</p>" * count).encode(), errors=1)


def html_attributes_one(n: int, count: int) -> Hostile:
    attrs = " ".join(f'a{i}="{i}"' for i in range(count))
    return Hostile(f"attrs-one-{count}-{n}.html", page(n, body_attrs=" " + attrs).encode(), errors=1)


def html_attributes_total(n: int, per_tag: int = 200, tags: int = 2_600) -> Hostile:
    attrs = " ".join(f"a{i}=1" for i in range(per_tag))
    return Hostile(f"attrs-total-{n}.html", page(n, extra=f"<i {attrs}></i>" * tags).encode(), errors=1)


def html_huge_attribute_value(n: int, size: int) -> Hostile:
    data = page(n, extra=f'<img alt="x" src="data:image/png;base64,{"A" * size}">').encode()
    return Hostile(f"huge-attr-{size}-{n}.html", data, articles=1, markers=(marker(n),))


def laughs(root: str, levels: int = 9) -> str:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{"".join([f"&lol{i - 1};"] * 10)}">' for i in range(1, levels + 1))
    return f'<?xml version="1.0"?><!DOCTYPE {root} [{entities}]>'


XXE = '<?xml version="1.0"?><!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def html_entities(n: int, xxe: bool) -> Hostile:
    prolog = XXE.format(root="html") if xxe else laughs("html")
    text = prolog + page(n).replace("<!DOCTYPE html>", "").replace("Hamas", "Hamas &xxe;" if xxe else "Hamas &lol9;")
    return Hostile(f"{'xxe' if xxe else 'laughs'}-{n}.html", text.encode(), errors=1)


def feed(n: int, prolog: str = "", ref: str = "") -> str:
    return ((prolog or '<?xml version="1.0"?>') + '<rss version="2.0"><channel><title>Hostile Feed</title>'
            f"<item><title>Dispatch {n} {ref}</title><link>http://127.0.0.1:9/{n}</link>"
            f"<description>{good_text(n)} {ref}</description></item></channel></rss>")


def feed_entities(n: int, xxe: bool) -> Hostile:
    text = feed(n, XXE.format(root="rss"), "&xxe;") if xxe else feed(n, laughs("rss"), "&lol9;")
    return Hostile(f"{'xxe' if xxe else 'laughs'}-{n}.xml", text.encode(), errors=1)


def json_nested(n: int, depth: int, inside: bool) -> Hostile:
    """An array nested ``depth`` deep: the whole document, or a field of an otherwise good article."""
    nest = "[" * depth + "]" * depth
    raw = article_json(n)[:-1] + f', "meta": {nest}}}' if inside else nest
    return Hostile(f"nested-{depth}-{n}.json", raw.encode(), errors=1)


def json_wide(n: int, count: int) -> Hostile:
    raw = article_json(n)[:-1] + ', "tags": [' + ",".join(['"a"'] * count) + "]}"
    return Hostile(f"wide-{count}-{n}.json", raw.encode(), errors=1)


def jsonl_nested(n: int, depth: int, *, first: bool = False) -> Hostile:
    """A nesting bomb between two good lines (or before them): one error (for its line), two articles."""
    lines = [article_json(n), article_json(n + 1)]
    lines.insert(0 if first else 1, "[" * depth + "]" * depth)
    return Hostile(f"nested-{depth}-{n}.jsonl", ("\n".join(lines) + "\n").encode(), errors=1, articles=2,
                   markers=(marker(n), marker(n + 1)))


def warc_truncated(n: int, cut: float) -> Hostile:
    """A gzip WARC of two pages cut inside the second record: the first page, then one error."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    ends = []
    for k in (n, n + 1):
        body = page(k).encode()
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                              ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(f"https://news.example/{k}", "response",
                                                      payload=io.BytesIO(body), length=len(body),
                                                      http_headers=headers))
        ends.append(buffer.tell())
    start = ends[0] + 20
    data = buffer.getvalue()[: start + int((ends[1] - start - 20) * cut)]
    return Hostile(f"truncated-{n}.warc.gz", data, errors=1, articles=1, markers=(marker(n),))


def csv_broken(n: int) -> Hostile:
    """A good row, then a row whose quote never closes: one error for it, the good article kept."""
    data = f'text,title\n"{good_text(n)}",Dispatch {n}\n"{good_text(n + 1)},never closed\nmore,x\n'
    return Hostile(f"broken-quotes-{n}.csv", data.encode(), errors=1, articles=1, markers=(marker(n),))


def big_paragraph(n: int, size: int = 10 * MB - 64) -> Hostile:
    """One paragraph just under the 10 MB byte limit: over the 1,000,000-character text budget."""
    word = "ceasefire talks went on "
    return Hostile(f"paragraph-10mb-{n}.txt", (word * (size // len(word) + 1))[:size].encode(), errors=1)


def pathological(n: int, kind: str, size: int) -> Hostile:
    """Text spaCy cannot tokenize or parse in time, around a good article: read, cut, still extracted."""
    run = {"brackets": "[" * size, "quotes": '"' * size, "mixed": ("!?.,;:—…()[]{}" * (size // 14 + 1))[:size],
           "paragraph": ("Officials in Cairo said the talks on a ceasefire went on and mediators waited "
                         * (size // 78 + 1))[:size]}[kind]
    text = good_text(n) + "\n\n" + run + "\n\nThe talks went on."
    return Hostile(f"{kind}-{size}-{n}.txt", text.encode(), articles=1, skipped=True, markers=(marker(n),))


def controls(start: int, count: int = 3) -> list[Hostile]:
    """Good files in three formats: their results must all be present, whatever fails around them."""
    out = []
    for n in range(start, start + count):
        kind = n % 3
        if kind == 0:
            out.append(Hostile(f"good-{n}.json", article_json(n).encode(), articles=1, markers=(marker(n),)))
        elif kind == 1:
            out.append(Hostile(f"good-{n}.html", page(n).encode(), articles=1, markers=(marker(n),)))
        else:
            out.append(Hostile(f"good-{n}.txt", good_text(n).encode(), articles=1, markers=(marker(n),)))
    return out


# --- the sets ----------------------------------------------------------------------------------------


def corpus() -> list[Hostile]:
    """The fixed hostile set of issue 14 (and the three slow texts of issue 15), numbered from 100."""
    docs = [surrogate_json(100 + i, field) for i, field in enumerate(FIELDS)]
    docs += [
        surrogate_html(110), control_metadata(111), bidi_text(112),
        html_deep(113, 50_000), html_elements(114, 1_000_000), html_attributes_one(115, 200_000),
        html_attributes_total(116), html_huge_attribute_value(117, 5 * MB),
        html_entities(118, xxe=False), html_entities(119, xxe=True),
        feed_entities(120, xxe=False), feed_entities(121, xxe=True),
        json_nested(122, 50_000, inside=False), json_nested(123, 50_000, inside=True), json_wide(124, 200_000),
        jsonl_nested(125, 50_000), warc_truncated(127, 0.5), csv_broken(129), big_paragraph(131),
        pathological(132, "brackets", 30_000), pathological(133, "quotes", 600_000),
        pathological(134, "paragraph", 990_000),
    ]
    return docs


def variant(rng: random.Random, n: int) -> Hostile:
    """One small seeded variation of a hostile family (markers ``dispatch n`` and ``n + 1``).

    Sizes are just over each budget (the big bombs are in ``corpus()``), so that ten thousand of them
    fit on a disk and in a few minutes; the slow texts, parsed up to the guard's limits, are rarer.
    """
    ((_, make),) = rng.choices(_FAMILIES, weights=[weight for weight, _ in _FAMILIES])
    return make(rng, n)


def _slow_text(rng: random.Random, n: int) -> Hostile:
    kind = rng.choice(("brackets", "quotes", "mixed", "paragraph"))
    size = rng.randint(20_001, 22_000) if kind == "paragraph" else rng.randint(101, 3_000)
    return pathological(n, kind, size)


FIELDS = ("title", "author", "outlet", "url", "published", "text")
#: (weight, maker) of each family in ``variant``.
_FAMILIES: tuple[tuple[int, Callable[[random.Random, int], Hostile]], ...] = (
    (6, lambda rng, n: surrogate_json(n, rng.choice(FIELDS))),
    (2, lambda rng, n: surrogate_html(n)),
    (2, lambda rng, n: control_metadata(n)),
    (2, lambda rng, n: bidi_text(n)),
    (3, lambda rng, n: html_deep(n, rng.randint(513, 3_000))),
    (3, lambda rng, n: html_attributes_one(n, rng.randint(257, 2_000))),
    (2, lambda rng, n: html_entities(n, xxe=rng.random() < 0.5)),
    (2, lambda rng, n: feed_entities(n, xxe=rng.random() < 0.5)),
    (4, lambda rng, n: json_nested(n, rng.randint(65, 5_000), inside=rng.random() < 0.5)),
    (3, lambda rng, n: jsonl_nested(n, rng.randint(65, 5_000))),
    (3, lambda rng, n: warc_truncated(n, rng.uniform(0.02, 0.98))),
    (3, lambda rng, n: csv_broken(n)),
    (2, lambda rng, n: html_huge_attribute_value(n, rng.randint(10_000, 60_000))),
    (1, lambda rng, n: json_wide(n, rng.randint(100_001, 101_000))),
    (2, _slow_text),
)


def write(folder: Path, docs: list[Hostile]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for doc in docs:
        path = folder / doc.name
        path.write_bytes(doc.data)
        paths.append(path)
    return paths


# --- running the CLI ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss: int  # bytes: the largest of the subprocess and its workers


def cli(*args: str | Path, timeout: float = 300) -> Run:
    """``backchannel ARGS`` in a subprocess, with the peak RSS of its process tree (itself and the
    workers it starts), polled from each process's VmHWM while it runs.

    Why not ``wait4``'s ``ru_maxrss``: after fork and exec a child's figure starts from the RSS of its
    parent, the test process, which holds models loaded by other tests (1.3 GB in a full run)."""
    out_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"hostile-{os.getpid()}-{time.monotonic_ns()}"
    with open(f"{out_path}.out", "w+b") as out, open(f"{out_path}.err", "w+b") as err:
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "backchannel", *map(str, args)], stdout=out, stderr=err)
        deadline = started + timeout
        peak = 0
        while True:
            peak = max(peak, tree_peak_rss(proc.pid))
            pid, status, _ = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                raise AssertionError(f"backchannel {' '.join(map(str, args))[:200]} ran past {timeout} s")
            time.sleep(0.02)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    for suffix in (".out", ".err"):
        Path(f"{out_path}{suffix}").unlink()
    return Run(proc.returncode, stdout, stderr, seconds, peak)


def tree_peak_rss(root: int) -> int:
    """The largest VmHWM (bytes) among ``root`` and its living descendants; 0 for what is gone."""
    peak, todo, seen = 0, [root], set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peak = max(peak, int(line.split()[1]) * 1024)
        todo += [int(c) for c in children]
    return peak


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error: ")]
