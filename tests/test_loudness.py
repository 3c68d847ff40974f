"""Loudness in `podkit check`: tones of known level, made by ffmpeg, measured back."""

from __future__ import annotations

import json
import math
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EPISODE_TOML, SHOW_TOML, ShowMaker, need_program

from toolkit import loudness
from toolkit.build import build
from toolkit.check import check
from toolkit.cli import cli

EP = "001-premier"


def tone(path: Path, lufs: float, channels: int, seconds: int = 20) -> Path:
    """A 997 Hz sine whose BS.1770 loudness is ``lufs``: a full-scale sine measures -3.01 LUFS
    on one channel (K-weighting is about 0 dB there), and each further channel adds its power."""
    ffmpeg = need_program("ffmpeg", "ffmpeg")
    level = lufs + 3.01 - 10 * math.log10(channels)
    amplitude = 10 ** (level / 20)
    wave = "|".join([f"{amplitude:.6f}*sin(2*PI*997*t)"] * channels)  # one per channel
    source = f"aevalsrc={wave}:s=48000:d={seconds}"
    subprocess.run(
        [ffmpeg, "-v", "error", "-f", "lavfi", "-i", source, "-y", str(path)], check=True
    )
    return path


@pytest.mark.parametrize(("lufs", "channels"), [(-16.0, 2), (-19.0, 1), (-25.0, 2)])
def test_measures_tones_of_known_loudness(tmp_path: Path, lufs: float, channels: int) -> None:
    measured = loudness.measure(tone(tmp_path / "t.wav", lufs, channels))
    assert measured.integrated == pytest.approx(lufs, abs=0.2)
    peak = lufs + 3.01 - 10 * math.log10(channels)  # a sine's peak is its amplitude
    assert measured.true_peak == pytest.approx(peak, abs=0.2)


def test_targets() -> None:
    assert loudness.problems(loudness.Loudness(-16.4, -3.0), 2) == []
    assert loudness.problems(loudness.Loudness(-19.2, -3.0), 1) == []  # mono
    (quiet,) = loudness.problems(loudness.Loudness(-19.2, -3.0), 2)
    assert quiet.startswith("integrated loudness -19.2 LUFS is outside -16 ± 1 LUFS:")
    (peak,) = loudness.problems(loudness.Loudness(-16.0, -0.3), 2)
    assert peak.startswith("true peak -0.3 dBTP is above -1 dBTP")


def _show_with(make_show: ShowMaker, audio: Path) -> Path:
    return make_show(**{f"{EP}__episode.mp3": audio.read_bytes()})


def _mp3(tmp_path: Path, lufs: float, channels: int, amplitude_boost: float = 0.0) -> Path:
    ffmpeg = need_program("ffmpeg", "ffmpeg")
    wav = tone(tmp_path / "t.wav", lufs + amplitude_boost, channels, seconds=60)
    mp3 = tmp_path / "t.mp3"
    subprocess.run(
        [
            ffmpeg,
            "-v",
            "error",
            "-i",
            str(wav),
            "-c:a",
            "libmp3lame",
            "-b:a",
            "128k",
            "-y",
            str(mp3),
        ],
        check=True,
    )
    return mp3


def test_check_warns_off_target_and_prints_figures_with_v(
    make_show: ShowMaker, tmp_path: Path
) -> None:
    source = _show_with(make_show, _mp3(tmp_path, -24.0, 2))
    site = tmp_path / "site"
    build(source, site)
    found = [f for f in check(source, site).findings if "LUFS" in f.message]
    assert len(found) == 1 and found[0].level == "warning"
    # LAME's encoding takes about half a decibel off the tone: the MP3 is what is measured.
    figure = re.match(
        r"integrated loudness (-[\d.]+) LUFS is outside -16 ± 1 LUFS", found[0].message
    )
    assert figure is not None and float(figure[1]) == pytest.approx(-24.0, abs=0.7)
    result = CliRunner().invoke(cli, ["check", "-v", "--source", str(source), "--site", str(site)])
    line = next(line for line in result.output.splitlines() if line.startswith(f"{EP}: "))
    assert re.fullmatch(rf"{EP}: {figure[1]} LUFS integrated, -2\d\.\d dBTP true peak", line)


def test_results_are_cached_by_the_audio_in_the_site(make_show: ShowMaker, tmp_path: Path) -> None:
    source = _show_with(make_show, _mp3(tmp_path, -16.0, 2))
    site = tmp_path / "site"
    build(source, site)
    assert not any("LUFS" in f.message for f in check(source, site).findings)
    cache = site / loudness.CACHE_FILE
    entries = json.loads(cache.read_text(encoding="utf-8"))
    assert [round(e["integrated"]) for e in entries.values()] == [-16]
    # The check reads the figures back instead of measuring again: a planted value shows.
    cache.write_text(json.dumps({k: {"integrated": -30.0, "true_peak": -20.0} for k in entries}))
    assert any("-30.0 LUFS" in f.message for f in check(source, site).findings)
    # Once the audio changes, its key changes and it is measured again.
    (source / EP / "episode.mp3").write_bytes(_mp3(tmp_path, -16.0, 2).read_bytes() + b"\0")
    assert not any("LUFS" in f.message for f in check(source, site).findings)
    assert not list(source.rglob("*loudness*"))  # never in the sources


def test_without_ffmpeg_one_line_says_so(
    make_show: ShowMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = make_show(**{"show.toml": SHOW_TOML, f"{EP}__episode.toml": EPISODE_TOML})
    monkeypatch.setattr(loudness.shutil, "which", lambda name: None)
    found = [f for f in check(source, tmp_path / "nosite").findings if "ffmpeg" in f.message]
    assert [(f.level, f.message) for f in found] == [("warning", loudness.MISSING)]
