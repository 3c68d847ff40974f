"""`podkit tag` without click: the entry point runs a plain tag invocation itself and hands
everything else to the click CLI. Both ways give the same output, exit status and file."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TONE, ShowMaker

from toolkit.__main__ import TagCall, plain_tag

# `python -m toolkit` as the console script runs it, printing at exit whether click was loaded.
FAST = """
import atexit, runpy, sys
atexit.register(lambda: print("click" in sys.modules, file=sys.stderr))
sys.argv = ["podkit", *sys.argv[1:]]
runpy.run_module("toolkit", run_name="__main__", alter_sys=True)
"""
# The same arguments through the click CLI.
CLICK = """
import atexit, sys
atexit.register(lambda: print("click" in sys.modules, file=sys.stderr))
sys.argv = ["podkit", *sys.argv[1:]]
from toolkit.cli import main
main()
"""


def podkit(program: str, args: list[str]) -> tuple[int, str, str, bool]:
    """Exit status, stdout and stderr of a new process, and whether it loaded click."""
    done = subprocess.run(
        [sys.executable, "-c", program, *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "COLUMNS": "80"},
    )
    stderr, _, loaded = done.stderr.rstrip("\n").rpartition("\n")
    return done.returncode, done.stdout, stderr, loaded == "True"


def test_plain_tag_reads_the_forms_it_knows() -> None:
    assert plain_tag(["tag", "a.mp3", "b.mp3", "--episode", "e"]) == TagCall(
        [Path("a.mp3"), Path("b.mp3")], Path("e"), 3, logging.INFO
    )
    assert plain_tag(["tag", "-v", "--episode=e", "--id3v2.4", "a.mp3", "-q"]) == TagCall(
        [Path("a.mp3")], Path("e"), 4, logging.ERROR
    )
    assert plain_tag(["tag", "--quiet", "a.mp3", "--verbose", "--episode", "e"]) == TagCall(
        [Path("a.mp3")], Path("e"), 3, logging.DEBUG
    )


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["build"],
        ["tag"],
        ["tag", "a.mp3"],  # no episode
        ["tag", "--episode", "e"],  # no MP3
        ["tag", "a.mp3", "--episode"],
        ["tag", "a.mp3", "--episode="],
        ["tag", "a.mp3", "--episode", "-q"],
        ["tag", "a.mp3", "--episode", "e", "--episode", "f"],
        ["tag", "a.mp3", "--episode", "e", "--help"],
        ["tag", "a.mp3", "--episode", "e", "-qv"],
        ["tag", "a.mp3", "--episode", "e", "--id3v2.3"],
        ["tag", "--", "-a.mp3", "--episode", "e"],
        ["tag", "", "--episode", "e"],
        ["--version"],
    ],
)
def test_anything_else_goes_to_click(args: list[str]) -> None:
    assert plain_tag(args) is None


def invocations(show: Path, mp3: Path, other: Path) -> list[list[str]]:
    episode = str(show / "001-premier")
    return [
        ["tag", str(mp3), "--episode", episode],
        ["tag", "-v", str(mp3), str(other), f"--episode={episode}", "--id3v2.4"],
        ["tag", "-q", str(mp3), "--episode", episode],
        ["tag", str(mp3), "--episode", str(show / "absent")],
        ["tag", str(show / "absent.mp3"), str(show / "show.toml"), "--episode", episode],
        ["tag", str(show), "--episode", episode],
    ]


def test_both_ways_give_the_same_output_status_and_file(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    show = make_show()
    for way in ("fast", "click"):
        (tmp_path / way).mkdir()
        for name in ("final.mp3", "final-64k.mp3"):
            (tmp_path / way / name).write_bytes(TONE.read_bytes())
    results = {}
    for way, program in (("fast", FAST), ("click", CLICK)):
        mp3, other = tmp_path / way / "final.mp3", tmp_path / way / "final-64k.mp3"
        results[way] = []
        for args in invocations(show, mp3, other):
            code, stdout, stderr, loaded = podkit(program, args)
            assert loaded == (way == "click")
            results[way].append((code, stdout.replace(way, "WAY"), stderr.replace(way, "WAY")))
    assert results["fast"] == results["click"]
    assert [code for code, _, _ in results["fast"]] == [0, 0, 0, 1, 1, 1]
    assert "WAY/final.mp3: tagged with 3 chapters" in results["fast"][0][1]
    assert "absent: folder not found: give the episode's folder" in results["fast"][3][2]
    for name in ("final.mp3", "final-64k.mp3"):
        assert (tmp_path / "fast" / name).read_bytes() == (tmp_path / "click" / name).read_bytes()


def test_usage_errors_and_help_come_from_click(tmp_path: Path) -> None:
    code, stdout, stderr, loaded = podkit(FAST, ["tag", str(tmp_path / "a.mp3")])
    assert (code, loaded) == (2, True)
    assert "Error: Missing option '--episode'." in stderr
    code, stdout, stderr, loaded = podkit(FAST, ["tag", "--help"])
    assert (code, loaded) == (0, True)
    assert stdout.startswith("Usage: podkit tag [OPTIONS] MP3...")


def test_a_reader_gone_from_stdout_ends_both_ways_alike(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    show = make_show()
    ends = []
    for program in (FAST, CLICK):
        mp3 = tmp_path / "final.mp3"
        mp3.write_bytes(TONE.read_bytes())
        args = ["tag", str(mp3), "--episode", str(show / "001-premier")]
        process = subprocess.Popen(
            [sys.executable, "-c", program, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()  # before the summary is printed
        stderr = process.stderr.read().decode()
        ends.append((process.wait(timeout=60), stderr.splitlines()[:-1]))  # less click's line
    assert ends[0] == ends[1] == (1, [])


def test_the_library_log_is_printed_alike_though_logging_is_imported_late(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    # A file where the cache folder should be: each derived value says it is not kept, a
    # debug line that only -v shows; the fast way imports logging only for it.
    show = make_show()
    (show / ".podkit-cache").write_bytes(b"")
    results = {}
    for way, program in (("fast", FAST), ("click", CLICK)):
        mp3 = tmp_path / way / "final.mp3"
        mp3.parent.mkdir()
        mp3.write_bytes(TONE.read_bytes())
        results[way] = []
        for level in ("-v", "-q", "--verbose"):
            args = ["tag", level, str(mp3), "--episode", str(show / "001-premier")]
            code, stdout, stderr, _ = podkit(program, args)
            results[way].append((code, stdout.replace(way, "WAY"), stderr))
    assert results["fast"] == results["click"]
    (code, verbose, stderr), quiet = results["fast"][0], results["fast"][1]
    assert code == 0 and stderr == "" and quiet == (0, "", "")
    assert ": not cached (" in verbose and verbose.endswith("tagged with 3 chapters (in place)\n")


EXIT_PROBE = """
import atexit, gc, sys
# Registered before the command runs, so it runs after the command's own exit handlers.
atexit.register(lambda: print(gc.get_freeze_count() > 1000, len(gc.get_objects()) < 1000))
kept = [[i] for i in range(100_000)]  # objects alive until the end, as a build's are
sys.argv = ["podkit", *sys.argv[1:]]
from toolkit.__main__ import main
main()
"""


@pytest.mark.parametrize("args", [["--version"], ["tag", "missing.mp3", "--episode", "."]])
def test_what_is_alive_at_exit_is_left_out_of_pythons_last_collection(
    args: list[str], tmp_path: Path
) -> None:
    """Python's last garbage collection would walk every object a command left alive only
    to free memory the process gives back: the entry point freezes them first."""
    found = subprocess.run(
        [sys.executable, "-c", EXIT_PROBE, *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert found.stdout.splitlines()[-1] == "True True", (found.stdout, found.stderr)
