"""The CLI end to end, in a subprocess, on files written by the tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ARTICLE = {
    "title": "Kyiv accepts US truce proposal",
    "outlet": "Test Desk",
    "author": "A. Writer",
    "published": "2025-03-12",
    "url": "",
    "text": (
        "Ukraine said on Tuesday it was ready to accept a 30-day ceasefire proposed by the United States, "
        "after talks with American officials in Jeddah as the war went on.\n\n"
        "“We are ready for peace,” Volodymyr Zelenskyy said in his evening address."
    ),
}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "backchannel", *args], capture_output=True, text=True, timeout=300
    )


@pytest.fixture()
def good_file(tmp_path: Path) -> Path:
    path = tmp_path / "good.json"
    path.write_text(json.dumps(ARTICLE), encoding="utf-8")
    return path


def test_explain_with_the_table_is_one_clear_error(good_file: Path):
    proc = run("extract", str(good_file), "--format", "table", "--explain")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        "error: --explain needs --format json or jsonl (the table shows no explanations)"]


def test_extract_one_article_prints_one_object_with_the_schema(good_file: Path):
    proc = run("extract", str(good_file), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert set(out) == {"article", "about_war", "attributions", "signals"}
    assert set(out["article"]) == {"title", "outlet", "author", "published", "url", "text"}
    assert out["signals"], "a ready-to-accept ceasefire sentence must give a signal"
    for s in out["signals"]:
        assert set(s) == {"actor", "stance", "topic", "channel", "terms", "when", "sources", "evidence",
                          "evidence_span", "confidence", "conflict", "counterpart", "role", "time_basis"}
        start, end = s["evidence_span"]
        assert out["article"]["text"][start:end] == s["evidence"]
    for a in out["attributions"]:
        assert set(a) == {"speaker", "speaker_kind", "cue", "content", "kind", "via", "speaker_span",
                          "cue_span", "content_span", "confidence"}


def test_published_and_outlet_flags_override(good_file: Path):
    proc = run("extract", str(good_file), "--published", "2025-04-01", "--outlet", "Other Desk")
    out = json.loads(proc.stdout)
    assert out["article"]["published"] == "2025-04-01"
    assert out["article"]["outlet"] == "Other Desk"


def test_bad_inputs_each_give_one_line_and_the_good_file_is_still_printed(tmp_path: Path, good_file: Path):
    bad = {
        "empty.txt": b"",
        "binary.txt": bytes(range(256)) * 4,
        "latin1.txt": "Caf\xe9 talks in Gen\xe8ve".encode("latin-1"),
        "nav.html": b"<html><head><title>x</title></head><body><nav><a href='/'>Home</a></nav></body></html>",
        "notext.json": json.dumps({"title": "No body"}).encode(),
    }
    paths = []
    for name, data in bad.items():
        p = tmp_path / name
        p.write_bytes(data)
        paths.append(p)
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as fh:
        fh.truncate(20 * 1024 * 1024)  # a 20 MB file (sparse: the reader must refuse it by its size)
    paths.append(huge)
    proc = run("extract", *map(str, paths), str(good_file), "--format", "json")
    assert proc.returncode == 1
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == len(paths), proc.stderr
    for p in paths:
        (line,) = [line for line in lines if p.name in line]
        assert "Traceback" not in line
    out = json.loads(proc.stdout)
    assert isinstance(out, list) and len(out) == 1
    assert out[0]["article"]["title"] == ARTICLE["title"]


def test_nothing_readable_exits_2(tmp_path: Path):
    p = tmp_path / "empty.md"
    p.write_text("   \n", encoding="utf-8")
    proc = run("extract", str(p))
    assert proc.returncode == 2
    assert "empty.md" in proc.stderr and proc.stdout == ""


def test_several_paths_give_a_list_in_input_order_and_table_is_aligned(tmp_path: Path, good_file: Path):
    second = tmp_path / "second.txt"
    second.write_text("Football results\n\nThe match ended 2-1 after extra time.", encoding="utf-8")
    proc = run("extract", str(second), str(good_file))
    out = json.loads(proc.stdout)
    assert [o["article"]["title"] for o in out] == ["Football results", ARTICLE["title"]]
    table = run("extract", str(good_file), "--format", "table")
    assert table.returncode == 0
    header = next(line for line in table.stdout.splitlines() if line.startswith("actor"))
    assert "stance" in header and "evidence" in header
    jsonl = run("extract", str(second), str(good_file), "--format", "jsonl")
    assert len(jsonl.stdout.strip().splitlines()) == 2


def test_user_actor_file_adds_an_actor(tmp_path: Path):
    actors = tmp_path / "actors.json"
    actors.write_text(json.dumps({"version": 1, "actors": [
        {"name": "Free Marsh Front", "kind": "armed_group", "country": None, "aliases": ["the Marsh Front"],
         "titles": [], "demonyms": []}
    ]}), encoding="utf-8")
    article = tmp_path / "a.txt"
    article.write_text(
        "Marsh war\n\nThe Marsh Front said on Monday it was ready for a ceasefire after a year of war.",
        encoding="utf-8",
    )
    # the rules decide here: this pins the actor file's path into extraction, not the model's judgement
    proc = run("extract", str(article), "--actors", str(actors), "--published", "2025-01-10",
               "--signal-model", "rules")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert [s["actor"] for s in out["signals"]] == ["Free Marsh Front"]


def test_malformed_actor_file_is_one_line_error(tmp_path: Path, good_file: Path):
    actors = tmp_path / "bad-actors.json"
    actors.write_text("{not json", encoding="utf-8")
    proc = run("extract", str(good_file), "--actors", str(actors))
    assert proc.returncode == 2
    assert "bad-actors.json" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_every_command_has_help():
    from backchannel.cli.commands import COMMANDS

    for command in COMMANDS:
        proc = run(command, "--help")
        assert proc.returncode == 0
        assert "usage: backchannel " + command in proc.stdout


def test_every_command_is_documented_in_the_readme():
    from backchannel.cli.commands import COMMANDS

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for command in COMMANDS:
        assert f"backchannel {command}" in readme, f"README does not document `backchannel {command}`"


def test_query_commands_refuse_a_database_that_does_not_exist(tmp_path: Path):
    proc = run("signals", "--db", str(tmp_path / "typo.db"))
    assert proc.returncode == 2
    assert "typo.db" in proc.stderr and "no such database" in proc.stderr
    assert not (tmp_path / "typo.db").exists()


def test_bad_numbers_and_dates_are_refused_by_the_parser(tmp_path: Path):
    assert run("signals", "--limit", "-1").returncode == 2
    db = tmp_path / "d.db"
    from backchannel.store import open_store

    open_store(str(db)).close()
    proc = run("signals", "--db", str(db), "--since", "2024-02-30")
    assert proc.returncode == 2 and "--since" in proc.stderr


def test_a_locked_database_is_one_line_not_a_traceback(tmp_path: Path, good_file: Path):
    import sqlite3

    db = tmp_path / "locked.db"
    from backchannel.store import open_store

    open_store(str(db)).close()
    holder = sqlite3.connect(db, timeout=1)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        proc = subprocess.run(
            [sys.executable, "-c",
             "import sys, sqlite3\n"
             "import backchannel.store.dialect as d\n"
             "orig = sqlite3.connect\n"
             "sqlite3.connect = lambda *a, **k: orig(*a, **{**k, 'timeout': 0.5})\n"
             "from backchannel.cli.commands import main\n"
             f"sys.exit(main(['ingest', {str(good_file)!r}, '--db', {str(db)!r}, '--no-progress']))"],
            capture_output=True, text=True, timeout=300)
    finally:
        holder.rollback()
        holder.close()
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "database error" in proc.stderr


def test_closed_output_pipe_is_quiet(good_file: Path):
    proc = subprocess.run(
        f"{sys.executable} -m backchannel extract {good_file} {good_file} --format jsonl | head -c 10",
        shell=True, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in proc.stderr
