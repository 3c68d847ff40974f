"""Every command: its help, its -q and -v, its errors as one line each; and the Python API
the commands are thin over."""

from __future__ import annotations

import ast
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import KEYTIME, TONE, ShowMaker, inserts_blocks, need_module, need_program

import toolkit
from toolkit.cli import cli
from toolkit.one_episode import Tagged

EP = "001-premier"
ROOT = Path(__file__).parents[1]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


COMMANDS = _commands(cli)


def test_the_commands_are_found() -> None:
    assert ("build",) in COMMANDS and ("transcript", "import") in COMMANDS
    assert len(COMMANDS) >= 10


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_has_an_example_quiet_verbose_and_a_readme_entry(command: tuple[str, ...]) -> None:
    code, stdout, _ = run(*command, "--help")
    assert code == 0 and "Example: podkit" in stdout
    assert "-q, --quiet" in stdout and "-v, --verbose" in stdout
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"podkit {' '.join(command)}" in readme


# ------------------------------------------------------------ -q and -v, command by command

# Each case gives the command's arguments, made in a show and a scratch folder, a line it
# prints by default, and a line that only -v adds (None when it has no more to say).
Case = tuple[list[str], str, str | None]


def _build(show: Path, scratch: Path) -> Case:
    return ["build", "--source", str(show), "--out", str(scratch / "site")], "Built 1 ", "wrote "


def _transcript_import(show: Path, scratch: Path) -> Case:
    raw, glossary = scratch / "raw.txt", scratch / "corrections.txt"
    raw.write_text("- Speaker #0\nun podcast sur les test\n", encoding="utf-8")
    glossary.write_text("test -> tests\n", encoding="utf-8")
    args = ["transcript", "import", str(raw), str(scratch / "out.txt")]
    return [*args, "--speaker", "Speaker #0=Anne", "--corrections", str(glossary)], "-> tests", None


def _transcript_convert(show: Path, scratch: Path) -> Case:
    args = ["transcript", "convert", str(show / EP / "transcript.txt"), str(scratch / "t.vtt")]
    return args, "segments as vtt", None


def _transcript_align(show: Path, scratch: Path) -> Case:
    need_program("ffmpeg", "ffmpeg")
    need_module("aeneas", "pip install 'podkit[align]'")
    transcript, audio = show / EP / "transcript.txt", show / EP / "episode.mp3"
    args = ["transcript", "align", str(transcript), str(audio), str(scratch / "t.txt")]
    return [*args, "--language", "fr"], "segments aligned on 1:00", "aligning "


def _tag(show: Path, scratch: Path) -> Case:
    target = scratch / "final.mp3"
    target.write_bytes(TONE.read_bytes())
    return ["tag", str(target), "--episode", str(show / EP)], "tagged with 3 chapters", None


def _new(show: Path, scratch: Path) -> Case:
    return ["new", "Deuxième", "--source", str(show)], "Next:", None


def _init(show: Path, scratch: Path) -> Case:
    return ["init", str(scratch / "another")], "Next:", None


def _import(show: Path, scratch: Path) -> Case:
    """A feed file whose one enclosure a one-request server on 127.0.0.1 answers."""
    import threading
    from functools import partial
    from http.server import HTTPServer, SimpleHTTPRequestHandler

    (scratch / "one.mp3").write_bytes(TONE.read_bytes())

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = HTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(scratch)))

    def answer_once() -> None:
        httpd.handle_request()
        httpd.server_close()

    threading.Thread(target=answer_once, daemon=True).start()
    feed = scratch / "feed.xml"
    feed.write_text(
        "<rss><channel><title>Old</title><item><title>One</title><guid>g1</guid>"
        "<pubDate>Mon, 06 Jan 2020 08:00:00 +0100</pubDate><enclosure "
        f'url="http://127.0.0.1:{httpd.server_address[1]}/one.mp3" type="audio/mpeg"/>'
        "</item></channel></rss>",
        encoding="utf-8",
    )
    return ["import", str(feed), "--source", str(scratch / "imported")], "Imported 1 ", None


def _check(show: Path, scratch: Path) -> Case:
    args = ["check", "--source", str(show), "--site", str(scratch / "none")]
    return args, "warning: ", None  # no site there: a warning, no error


def _chapters_import(show: Path, scratch: Path) -> Case:
    labels = scratch / "labels.txt"
    labels.write_text("0.000000\t0.000000\tIntro\n30.000000\t30.000000\tSuite\n")
    args = ["chapters", "import", str(labels), "--episode", str(show / EP)]
    return args, "2 chapters from", "00:00:30.000  Suite"


def _chapters_export(show: Path, scratch: Path) -> Case:
    args = ["chapters", "export", str(show / EP), "--format", "mp4chaps"]
    return [*args, "-o", str(scratch / "c.txt")], "3 chapters (mp4chaps)", None


def _chapters_snap(show: Path, scratch: Path) -> Case:
    return ["chapters", "snap", str(show / EP), "--dry-run"], "0 chapters would move", None


def _inspect(show: Path, scratch: Path) -> Case:
    return ["inspect", str(TONE)], "no ID3v2 tag", None


def _deploy(show: Path, scratch: Path) -> Case:
    from toolkit.build import build

    build(show, scratch / "site")
    args = ["deploy", "--site", str(scratch / "site"), "--to", f"file://{scratch / 'out'}"]
    return args, "Uploaded 1", "upload feed.xml"


def _notify(show: Path, scratch: Path) -> Case:
    """Pings a hub this test serves on 127.0.0.1 (a daemon thread, gone with the run)."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread

    class Hub(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hub)
    Thread(target=server.serve_forever, daemon=True).start()
    hub = f"http://127.0.0.1:{server.server_address[1]}/hub"
    with (show / "show.toml").open("a", encoding="utf-8") as toml:
        toml.write(f'\n[notify]\nhub = "{hub}"\n')
    args = ["notify", "--source", str(show), "--hub-only"]
    return args, "Notified WebSub hub (HTTP 204)", f"{hub} answered HTTP 204"


CASES: dict[str, Callable[[Path, Path], Case]] = {
    "build": _build,
    "transcript import": _transcript_import,
    "transcript convert": _transcript_convert,
    "transcript align": _transcript_align,
    "tag": _tag,
    "new": _new,
    "init": _init,
    "import": _import,
    "check": _check,
    "chapters import": _chapters_import,
    "chapters export": _chapters_export,
    "chapters snap": _chapters_snap,
    "inspect": _inspect,
    "deploy": _deploy,
    "notify": _notify,
}


def test_every_command_but_serve_has_a_verbosity_case() -> None:
    assert {" ".join(c) for c in COMMANDS} == {*CASES, "serve"}


@pytest.mark.parametrize("name", CASES)
def test_quiet_prints_only_problems_and_verbose_more(
    name: str, make_show: ShowMaker, tmp_path: Path
) -> None:
    outputs, made = {}, make_show()
    for flag in ("", "-q", "-v"):
        scratch = tmp_path / (flag or "default")
        show = shutil.copytree(made, scratch / "show")
        args, line, detail = CASES[name](show, scratch)
        code, stdout, stderr = run(*args, *[flag][: bool(flag)])
        assert code == 0, stderr
        outputs[flag] = stdout + stderr
    assert line in outputs[""]
    if name == "inspect":  # its first line is what it was asked for, not a message
        assert outputs["-q"] == outputs[""].splitlines(keepends=True)[0]
    else:
        assert outputs["-q"] == ""
    assert line in outputs["-v"]
    if detail is not None:
        assert detail in outputs["-v"] and detail not in outputs[""]


def test_quiet_keeps_the_errors_check_finds(make_show: ShowMaker, tmp_path: Path) -> None:
    show = make_show(**{f"{EP}/transcript.txt": "- Speaker #0\nBonjour.\n"})
    args = ["check", "--source", str(show), "--site", str(tmp_path)]
    code, stdout, _ = run(*args)
    assert code == 1 and "warning: " in stdout and "1 error(s)" in stdout
    errors = [line for line in stdout.splitlines() if line.startswith("error: ")]
    code, quiet, _ = run(*args, "-q")
    assert code == 1 and quiet.splitlines() == errors != []


SERVE_OUTPUT = {
    "": ("Serving ", "Stopped."),
    "-q": (),
    "-v": ("Serving ", '"GET / HTTP/1.1" 200', "Stopped."),
}


@pytest.mark.parametrize("flag", SERVE_OUTPUT)
def test_serve_quiet_and_verbose(flag: str, make_show: ShowMaker, tmp_path: Path) -> None:
    port = _free_port()
    args = ["serve", "--source", str(make_show()), "--out", str(tmp_path / "o"), "--port"]
    process = subprocess.Popen(
        [sys.executable, "-m", "toolkit", *args, str(port), *[flag][: bool(flag)]],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "CI": "1"},
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
                    assert page.status == 200
                break
            except OSError:
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.2)
    finally:
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=10)
    assert process.returncode == 0 and stderr == ""
    for line in SERVE_OUTPUT[flag]:
        assert line in stdout
    if flag == "-q":
        assert stdout == ""
    elif flag == "":
        assert '"GET / HTTP/1.1"' not in stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ------------------------------------------------------------ tag's own checks


def test_tag_refuses_chapters_past_the_end_of_the_mp3_it_tags(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    # The episode's own audio is 60 s long, so the show loads; the MP3 to tag is 30 s.
    ffmpeg = need_program("ffmpeg", "ffmpeg")
    short = tmp_path / "final.mp3"
    subprocess.run(
        [ffmpeg, "-v", "error", "-i", str(TONE), "-t", "30", "-c", "copy", str(short)], check=True
    )
    before = short.read_bytes()
    show = make_show()
    code, stdout, stderr = run("tag", str(short), "--episode", str(show / EP))
    assert code == 1 and stdout == ""
    assert stderr.startswith(
        f"{show.resolve() / EP / 'episode.toml'}: chapters[2].start: 00:00:45.000 is past the "
        "end of final.mp3 (00:00:"
    )
    assert len(stderr.splitlines()) == 1
    assert short.read_bytes() == before


# ------------------------------------------------------------ the Python API


def test_the_api_raises_a_library_exception_with_every_problem(tmp_path: Path) -> None:
    from toolkit import ToolkitError, build

    with pytest.raises(ToolkitError) as caught:
        build(tmp_path, tmp_path / "site")
    assert not isinstance(caught.value, click.ClickException)
    assert str(caught.value) == "\n".join(str(p) for p in caught.value.problems)
    assert caught.value.problems


def test_the_api_gives_reports_whose_summary_is_a_sentence(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    report = toolkit.build(make_show(), out)
    assert report.summary().startswith(f"Built 1 episode into {out}: ")
    assert "{" not in report.summary()
    converted = toolkit.convert_transcript(out / EP / "transcript.json", tmp_path / "t.srt")
    assert converted.summary() == f"{tmp_path / 't.srt'}: 5 segments as srt"
    one = Tagged(tmp_path / "a.mp3", 1, in_place=True)
    assert one.summary() == f"{tmp_path / 'a.mp3'}: tagged with 1 chapter (in place)"


def test_the_api_names_are_the_functions_even_after_their_modules_load() -> None:
    import toolkit.build
    import toolkit.check
    from toolkit import build, check

    assert callable(build) and build.__module__ == "toolkit.build"
    assert callable(check) and check.__module__ == "toolkit.check"
    assert set(toolkit.__all__) <= set(dir(toolkit)) | set(toolkit._API)


def test_tagging_loads_no_site_machinery(tmp_path: Path) -> None:
    # A copy of the show: the tag keeps its derived values in the show's folder.
    show = Path(shutil.copytree(KEYTIME, tmp_path / "keytime", ignore=shutil.ignore_patterns("_*")))
    episode = show / "001-antony-passemard"
    mp3 = Path(shutil.copy(episode / "keytime-001-antony-passemard.mp3", tmp_path))
    probe = (
        "import sys\n"
        "from toolkit import tag_episode_file\n"
        "from toolkit.cli import cli\n"
        f"cli(['tag', {str(mp3)!r}, '--episode', {str(episode)!r}], standalone_mode=False)\n"
        "print(sorted({'jinja2', 'feedgen', 'lxml'} & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    how = "in place" if inserts_blocks(tmp_path) else "rewritten"  # a first tag grows it
    assert done.stdout.splitlines() == [f"{mp3}: tagged with 16 chapters ({how})", "[]"]


def test_the_cli_module_does_no_library_work() -> None:
    tree = ast.parse((ROOT / "toolkit" / "cli.py").read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & {"mutagen", "tomllib", "tomlkit"}


def test_a_bad_option_value_is_clicks_usage_error(tmp_path: Path) -> None:
    code, _, stderr = run("build", "--source", str(KEYTIME), "--base-url", "ftp://x")
    assert code == 2
    assert stderr.endswith(
        "Error: Invalid value for --base-url: write an absolute URL like https://example.org/\n"
    )
