"""Every command that takes --source says in one line when it names no folder (no traceback,
exit status 1), before doing anything else."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

COMMANDS = [["build"], ["check"], ["serve", "--port", "0"], ["new", "Un titre"]]


def wrong_sources(tmp_path: Path) -> dict[str, Path]:
    a_file = tmp_path / "show.toml"
    a_file.write_text('title = "x"\n', encoding="utf-8")
    return {
        "missing": tmp_path / "nowhere",
        "a file": a_file,
        "too long a name": tmp_path / ("x" * 5000),
    }


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("case", ["missing", "a file", "too long a name"])
def test_a_wrong_source_is_one_line_and_exit_status_1(
    command: list[str], case: str, tmp_path: Path
) -> None:
    source = wrong_sources(tmp_path)[case]
    out = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "-m", "toolkit", *command, "--source", str(source)]
        + (["--out", str(out)] if command[0] in ("build", "serve") else []),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{source}: folder not found: pass --source with your show's folder"
    ]
    assert not out.exists()
