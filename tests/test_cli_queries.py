"""The query commands through ``main()`` on a real SQLite store: the order of ``signals``, the one chain
notation, "did you mean" for actors and conflicts, timeline charts, and Parquet refused on stdout."""

from __future__ import annotations

import csv
import io
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import builders
from backchannel.cli.commands import main
from backchannel.store import open_store

PUTIN_TEXT = "Moscow\n\nVladimir Putin rejected any ceasefire, Kremlin spokesman Dmitry Peskov said."
PUTIN = "Vladimir Putin rejected any ceasefire"
RUSSIA_TEXT = ("Back channel\n\nA former senior official told The New York Times that Russia was open to talks "
               "in private.")
RUSSIA = "A former senior official told The New York Times that Russia was open to talks in private."
QATAR_TEXT = "Doha\n\nQatar urged both sides to sign a deal, its foreign ministry said."
QATAR = "Qatar urged both sides to sign a deal, its foreign ministry said."
WAR = "Russia\u2013Ukraine war"


@pytest.fixture
def db(tmp_path: Path) -> str:
    """Three articles whose signals come in a different order by each --sort: by the signal's date Qatar
    (2025-02-05), Putin (2025-01), Russia (2024-12); by publication Russia, Qatar, Putin; by confidence
    Putin, Qatar, Russia."""
    path = str(tmp_path / "q.db")
    results = [
        builders.result(PUTIN_TEXT, signals=[builders.signal(
            PUTIN_TEXT, PUTIN, "Vladimir Putin", "refuses", "ceasefire", when="2025-01",
            sources=["Kremlin spokesman Dmitry Peskov"], confidence=0.9, conflict=WAR, counterpart="Ukraine",
            role="party")], title="Moscow", outlet="Wire One", published="2025-01-10", url="https://w.example/1"),
        builders.result(RUSSIA_TEXT, signals=[builders.signal(
            RUSSIA_TEXT, RUSSIA, "Russia", "open", "talks", "private", when="2024-12",
            sources=["a former senior official", "The New York Times"], confidence=0.5, conflict=WAR,
            counterpart="Ukraine", role="party")],
            title="Back channel", outlet="Peace News", published="2025-03-20", url="https://p.example/2"),
        builders.result(QATAR_TEXT, signals=[builders.signal(
            QATAR_TEXT, QATAR, "Qatar", "urges", "deal", when="2025-02-05", sources=["its foreign ministry"],
            confidence=0.7)], title="Doha", outlet="Gulf Daily", published="2025-02-05", url="https://g.example/3"),
    ]
    with open_store(path) as store:
        for result in results:
            store.save(result, None, "test")
    return path


def actors_listed(capsys, *args: str) -> list[str]:
    assert main(["signals", *args, "--format", "json"]) == 0
    return [r["actor"] for r in json.loads(capsys.readouterr().out)]


# ---- signals: newest first, --sort ------------------------------------------------------------------------
def test_signals_list_newest_first_by_default_and_in_every_sort_order(db: str, capsys):
    assert actors_listed(capsys, "--db", db) == ["Qatar", "Vladimir Putin", "Russia"]
    assert actors_listed(capsys, "--db", db, "--sort", "when") == ["Qatar", "Vladimir Putin", "Russia"]
    assert actors_listed(capsys, "--db", db, "--sort", "published") == ["Russia", "Qatar", "Vladimir Putin"]
    assert actors_listed(capsys, "--db", db, "--sort", "actor") == ["Qatar", "Russia", "Vladimir Putin"]
    assert actors_listed(capsys, "--db", db, "--sort", "confidence") == ["Vladimir Putin", "Qatar", "Russia"]


def test_limit_takes_the_first_signals_of_the_chosen_order(db: str, capsys):
    assert actors_listed(capsys, "--db", db, "--limit", "1") == ["Qatar"]  # the newest, not the oldest
    assert actors_listed(capsys, "--db", db, "--sort", "published", "--limit", "2") == ["Russia", "Qatar"]
    assert actors_listed(capsys, "--db", db, "--sort", "confidence", "--limit", "1") == ["Vladimir Putin"]


def test_signals_help_names_the_default_sort(capsys):
    with pytest.raises(SystemExit):
        main(["signals", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--sort {when,published,actor,confidence}" in help_text and "(default when)" in help_text
    assert "newest first" in help_text


def test_an_unknown_sort_is_refused_by_argparse(db: str, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["signals", "--db", db, "--sort", "date"])
    assert exit_info.value.code == 2 and "invalid choice: 'date'" in capsys.readouterr().err


# ---- one chain notation -----------------------------------------------------------------------------------
def test_every_cli_output_writes_a_chain_the_same_way(db: str, capsys):
    chain = "a former senior official → The New York Times"
    assert main(["signals", "--db", db, "--actor", "Russia"]) == 0
    header, _, *lines = capsys.readouterr().out.splitlines()
    start, end = header.index("sources"), header.index("evidence")
    assert " ".join(" ".join(line[start:end] for line in lines).split()) == chain  # the wrapped cell re-joined
    assert main(["signals", "--db", db, "--actor", "Russia", "--format", "csv"]) == 0
    [row] = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert row["sources"] == chain
    assert main(["export", "--db", db, "--actor", "Russia", "--format", "csv"]) == 0
    [row] = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert row["sources"] == chain
    signal_id = json.loads(row["id"])
    assert main(["show", str(signal_id), "--db", db]) == 0
    assert f"Known from: {chain} → Peace News (this article)" in capsys.readouterr().out
    assert main(["timeline", "Russia", "--db", db]) == 0
    assert "a former senior official → The New York…" in capsys.readouterr().out  # clipped at 40 characters
    assert main(["export", "--db", db, "--actor", "Russia", "--format", "jsonl"]) == 0
    assert json.loads(capsys.readouterr().out)["sources"] == ["a former senior official", "The New York Times"]


# ---- did you mean -----------------------------------------------------------------------------------------
COMMANDS_WITH_ACTOR = [
    ["signals", "--actor", "{}"],
    ["export", "--format", "csv", "--actor", "{}"],
    ["divergence", "--actor", "{}"],
    ["corroboration", "--actor", "{}"],
    ["timeline", "{}"],
]


@pytest.mark.parametrize("command", COMMANDS_WITH_ACTOR, ids=lambda c: c[0])
def test_an_unknown_actor_is_one_line_with_the_nearest_name_in_every_command(db: str, capsys, command):
    argv = [part.format("Vladimir Puttin") for part in command]
    assert main([*argv, "--db", db]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ("error: unknown actor 'Vladimir Puttin': no stored signal has it; "
                            "did you mean 'Vladimir Putin'?\n")


@pytest.mark.parametrize("command", COMMANDS_WITH_ACTOR, ids=lambda c: c[0])
def test_a_known_alias_is_not_an_unknown_actor(db: str, capsys, command):
    argv = [part.format("putin") for part in command]
    assert main([*argv, "--db", db]) == 0, capsys.readouterr().err


@pytest.mark.parametrize("command", ["signals", "export"])
def test_an_unknown_conflict_is_one_line_with_the_nearest_name(db: str, capsys, command):
    extra = ["--format", "csv"] if command == "export" else []
    assert main([command, *extra, "--db", db, "--conflict", "Russia Ukraine war"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (f"error: unknown conflict 'Russia Ukraine war': no stored signal has it; "
                            f"did you mean '{WAR}'?\n")
    assert main([command, *extra, "--db", db, "--conflict", "russia-ukraine war"]) == 0  # dash and case folded


def test_with_nothing_near_the_stored_names_are_listed(db: str, capsys):
    assert main(["signals", "--db", db, "--actor", "Zz"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "did you mean" not in err
    assert "the stored actors are:" in err and "Qatar" in err and "Vladimir Putin" in err


# ---- timeline charts -------------------------------------------------------------------------------------
def test_plot_svg_is_real_svg_with_labelled_lanes_and_points(db: str, tmp_path: Path, capsys):
    chart = tmp_path / "putin.svg"
    assert main(["timeline", "Putin", "--db", db, "--plot", str(chart)]) == 0
    assert capsys.readouterr().err == f"chart written to {chart}\n"
    root = ET.parse(chart).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = {"".join(e.itertext()).strip() for e in root.iter("{http://www.w3.org/2000/svg}text")}
    with open_store(db) as store:
        [putin] = store.signals(actor="Putin")
    assert {"open / proposes / agrees", "urges", "refuses / opposes"} <= texts  # the lanes
    assert f"#{putin['id']} refuses" in texts  # the point: the id `show` takes, and its stance
    assert {"public", "private", "channel"} <= texts


def test_plot_png_still_works(db: str, tmp_path: Path, capsys):
    chart = tmp_path / "putin.PNG"
    assert main(["timeline", "Putin", "--db", db, "--plot", str(chart)]) == 0
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(("name", "expected"), [
    ("chart.jpg", "cannot draw a chart as '.jpg'; use .png or .svg"),
    ("chart", "cannot draw a chart as 'a file without extension'; use .png or .svg"),
    ("missing/chart.svg", "cannot write the chart there: the folder"),
    ("q.db/chart.svg", "cannot write the chart there:"),  # q.db is the database file, not a folder
])
def test_plot_errors_are_one_line_and_come_before_any_output(db: str, tmp_path: Path, capsys, name, expected):
    target = tmp_path / name
    assert main(["timeline", "Putin", "--db", db, "--plot", str(target)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert captured.err.startswith(f"error: {target}: ") and expected in captured.err
    assert not target.exists()


def test_plot_to_a_name_the_system_refuses_is_one_line(db: str, tmp_path: Path, capsys):
    target = tmp_path / ("x" * 300 + ".svg")  # longer than a file name may be, for root too
    assert main(["timeline", "Putin", "--db", db, "--plot", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: {target}: cannot write the chart: ")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_plot_into_an_unwritable_folder_is_one_line(db: str, tmp_path: Path, capsys):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        assert main(["timeline", "Putin", "--db", db, "--plot", str(folder / "c.svg")]) == 2
    finally:
        folder.chmod(0o700)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: {folder / 'c.svg'}: cannot write the chart: ")


def test_plot_with_no_dated_signal_is_one_line(tmp_path: Path, capsys):
    text = "Doha\n\nQatar urged both sides to sign a deal."
    path = str(tmp_path / "undated.db")
    with open_store(path) as store:  # no when and no publication date: nothing can be placed in time
        store.save(builders.result(text, signals=[builders.signal(text, "Qatar urged both sides to sign a deal.",
                                                                   "Qatar", "urges", "deal")]), None, "test")
    target = tmp_path / "q.svg"
    assert main(["timeline", "Qatar", "--db", path, "--plot", str(target)]) == 2
    assert capsys.readouterr().err == f"error: {target}: nothing to plot: none of the 1 signals has a date\n"
    assert not target.exists()


# ---- export --format parquet to stdout ----------------------------------------------------------------------
@pytest.mark.parametrize("target", [[], ["--to", "-"], ["--out", "-"]], ids=["default", "to-dash", "out-dash"])
def test_parquet_to_stdout_is_refused_with_one_line(db: str, capsys, target):
    assert main(["export", "--db", db, "--format", "parquet", *target]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ("error: parquet is a binary format and cannot go to standard output: "
                            "give a file with --to PATH\n")


def test_parquet_to_a_file_given_with_out(db: str, tmp_path: Path, capsys):
    pq = pytest.importorskip("pyarrow.parquet")
    target = tmp_path / "s.parquet"
    assert main(["export", "--db", db, "--format", "parquet", "--out", str(target)]) == 0
    assert capsys.readouterr().err == f"3 signals exported to {target}\n"
    assert sorted(pq.read_table(target).column("actor").to_pylist()) == ["Qatar", "Russia", "Vladimir Putin"]
