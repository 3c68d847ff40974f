"""Integrated loudness and true peak of each episode's audio (ITU-R BS.1770-4, as EBU R 128
meters it), measured by ffmpeg's ebur128 filter, which decodes every format podkit reads and
finds the true peak on 4x oversampled audio. Results are cached by the audio file's key, in
the built site, so a second `podkit check` measures only what changed."""

from __future__ import annotations

import json
import logging
import math
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from toolkit.cache import files_key
from toolkit.parallel import fork_map
from toolkit.writer import atomic_write

log = logging.getLogger(__name__)

# Apple Podcasts' audio requirements: -16 LKFS +/- 1 dB, true peak at most -1 dBFS. A mono
# file is measured as one channel but played on two speakers, about 3 dB louder: the usual
# podcast practice (AES TD1004 range, Auphonic's and NPR's presets) is -19 LUFS for mono.
TARGET, MONO_TARGET, TOLERANCE = -16.0, -19.0, 1.0
MAX_TRUE_PEAK = -1.0
CACHE_FILE = Path(".podkit-cache", "loudness.json")
MISSING = "ffmpeg is not installed (Debian package ffmpeg): loudness not measured"
_SUMMARY = re.compile(
    r"Integrated loudness:\s+I:\s+(?P<i>-?[\d.]+|-?inf|nan) LUFS.*?"
    r"True peak:\s+Peak:\s+(?P<tp>-?[\d.]+|-?inf|nan) dBFS",
    re.S,
)


@dataclass(frozen=True)
class Loudness:
    integrated: float  # LUFS
    true_peak: float  # dBTP

    def describe(self) -> str:
        return f"{self.integrated:.1f} LUFS integrated, {self.true_peak:.1f} dBTP true peak"


class LoudnessError(Exception):
    """The audio could not be measured; the message says why in a few words."""


def measure(path: Path) -> Loudness:
    """The file's integrated loudness and true peak."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise LoudnessError(MISSING)
    command = [ffmpeg, "-nostats", "-hide_banner", "-nostdin", "-i", str(path)]
    command += ["-map", "0:a:0", "-af", "ebur128=peak=true", "-f", "null", "-"]
    done = subprocess.run(command, capture_output=True, text=True, errors="replace")
    found = _SUMMARY.search(done.stderr)
    if done.returncode != 0 or found is None:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise LoudnessError(f"could not be measured by ffmpeg ({last})")
    return Loudness(float(found["i"]), float(found["tp"]))


def problems(loudness: Loudness, channels: int) -> list[str]:
    """What a listener would notice: too quiet or too loud for apps' targets, or clipping."""
    found = []
    targets = (TARGET, MONO_TARGET) if channels == 1 else (TARGET,)
    if not any(abs(loudness.integrated - t) <= TOLERANCE for t in targets):
        wanted = "-16 ± 1 LUFS" + (" (or -19 ± 1 for mono)" if channels == 1 else "")
        found.append(
            f"integrated loudness {loudness.integrated:.1f} LUFS is outside {wanted}: "
            "normalise it (e.g. ffmpeg -af loudnorm=I=-16:TP=-1.5)"
        )
    if loudness.true_peak > MAX_TRUE_PEAK:
        found.append(
            f"true peak {loudness.true_peak:.1f} dBTP is above {MAX_TRUE_PEAK:.0f} dBTP: "
            "lower it with a true-peak limiter, or the MP3 may clip on playback"
        )
    return found


def measure_all(paths: list[Path], site: Path | None) -> list[Loudness | LoudnessError]:
    """Each file's figures, from the site's cache when the file did not change."""
    cache_path = site / CACHE_FILE if site is not None and site.is_dir() else None
    cached = _read_cache(cache_path)
    keys = [files_key([p]) for p in paths]
    results: dict[str, Loudness | LoudnessError] = dict(cached)
    todo = {k: p for p, k in zip(paths, keys, strict=True) if k not in cached}
    for key, result in zip(todo, fork_map(_measure_or_error, list(todo.values())), strict=True):
        results[key] = result
        if isinstance(result, Loudness):
            cached[key] = result
    if todo and cache_path is not None:
        _write_cache(cache_path, cached, set(keys))
    return [results[k] for k in keys]


def _measure_or_error(path: Path) -> Loudness | LoudnessError:
    try:
        return measure(path)
    except LoudnessError as error:
        return error


def _read_cache(path: Path | None) -> dict[str, Loudness]:
    """The cache's entries; an unreadable or edited cache counts as empty."""
    if path is None:
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {
            str(key): Loudness(float(value["integrated"]), float(value["true_peak"]))
            for key, value in raw.items()
        }
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def _write_cache(path: Path, entries: dict[str, Loudness], keep: set[str]) -> None:
    """Written atomically, with only the entries of the audio checked now."""
    data = {
        k: {"integrated": v.integrated, "true_peak": v.true_peak}
        for k, v in sorted(entries.items())
        if k in keep and math.isfinite(v.integrated) and math.isfinite(v.true_peak)
    }
    try:
        atomic_write(path, json.dumps(data, indent=1).encode("utf-8"))
    except OSError as error:  # a read-only site: the check still stands, only slower
        log.debug("loudness cache not written: %s", error)
