"""Make the Keytime episode's stand-in audio: the edited transcript read by espeak-ng.

The original recording is not ours to ship, so the example show carries French speech
synthesized from the edited transcript, one voice per speaker. This script also measures where
each sentence starts in what it made and writes those times back into the transcript, and sets
the chapters that start on a known sentence, so transcript, chapters and audio agree. Editor's
notes (whole bracketed lines) are not spoken: each gets the time of the silence where it sits.

The speech is then normalised to the loudness podcasts are published at, so that `podkit check`
finds nothing to say about the example's audio.

Needs Debian's espeak-ng and lame (the build and the tests do not), and ffmpeg:

    apt-get install espeak-ng lame ffmpeg
    python episodes/_scripts/make_standin_audio.py episodes/001-antony-passemard
"""

from __future__ import annotations

import array
import io
import json
import re
import subprocess
import sys
import wave
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import tomlkit

from toolkit.loudness import MAX_TRUE_PEAK, MONO_TARGET, measure, problems
from toolkit.model import Segment, Transcript
from toolkit.timecode import format_timestamp
from toolkit.transcript import parse_turns, write_turns

RATE = 22050  # espeak-ng's output rate
VOICES = {  # espeak-ng voice, speed (words per minute), pitch (0-99)
    "Laura Guibora": ("fr+f3", 175, 62),
    "Antony Passemard": ("fr+m3", 180, 38),
    "Niama": ("fr+f5", 170, 75),
}
PAUSE_IN_TURN, PAUSE_BETWEEN_TURNS = 0.25, 0.6  # seconds
SILENCE_LEVEL = 300  # 16-bit amplitude under which a sample counts as silence
# loudnorm's targets, for the mono podcast loudness in the MP3. LAME at this bitrate comes out a
# little quieter than what it is given, and its coding noise raises the synthetic voice's sharp
# peaks: aim a little louder, and the peaks well under podkit check's limit.
LOUDNORM = {"I": MONO_TARGET + 0.4, "TP": MAX_TRUE_PEAK - 3.0, "LRA": 11.0}
# LAME's own low-pass at this bitrate: peaks are limited on the band the MP3 will keep, not on
# highs it drops. Two 2-pole stages: they delay speech by about a sample, well under the
# millisecond the transcript's times are written to.
LOWPASS = "lowpass=f=5800:p=2,lowpass=f=5800:p=2"

# Chapters that start on a sentence: the chapter's title prefix -> the sentence's beginning.
# A topic's chapter starts on the question that opens it, a date's on the host's introduction.
CHAPTER_ANCHORS = {
    "Introduction": "Bienvenue sur Keytime",
    "Antony Passemard se présente": "Je me présente alors",
    "Le portrait": "Je te propose avant de commencer ce voyage",
    "Le code temporel": "Super, alors mon code temporel",
    "3 août 2001": "Eh bien je te propose de commencer tout de suite ce voyage",
    "Iniflu": "Donc, j'ai en fait discuté avec deux anciens",
    "15 mars 2007": "Antony, je te propose qu'on passe à notre deuxième date",
    "Le MBA à Berkeley": "Et durant ce MBA, tu fais des rencontres",
    "Salesforce": "Et tu resteras longtemps à Yahoo ?",
    "Amazon": "Et donc, je décide d'aller chez Amazon.",
    "Google": "Et je dis : « Ah, non, je ne peux pas. »",
    "1er mai 2021": "Eh bien Antony, je te propose qu'on passe à la toute dernière date",
    "Manager 170 personnes": "Déjà d'une petite équipe à une grosse équipe",
    "L'IA générative": "Et je suis parti pour différentes raisons.",
    "La question de l'étudiante": "Je te propose, avant de se quitter",
    "Conclusion": "Merci à toi, Niama.",
}
# An editor's note is a whole line in brackets: it is not spoken, it only gets the time of the
# point where it sits. Inline markers such as [inaudible] are left out of the speech too.
_NOTE = re.compile(r"^\[[^\]]*\]$")
_MARKER = re.compile(r"\s*\[[^\]]*\]")


def is_note(segment: Segment) -> bool:
    return bool(_NOTE.match(segment.text))


def speak(segment: Segment) -> array.array[int]:
    if is_note(segment):
        return array.array("h")
    voice, speed, pitch = VOICES[segment.speaker]
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "--stdin", "--stdout"],
        input=_MARKER.sub("", segment.text).encode(),
        capture_output=True,
        check=True,
    ).stdout
    with wave.open(io.BytesIO(wav)) as reader:
        assert reader.getframerate() == RATE and reader.getsampwidth() == 2
        samples = array.array("h", reader.readframes(reader.getnframes()))
    # Trim the voice's own leading and trailing silence so a sentence starts at its first sound.
    loud = [i for i, v in enumerate(samples) if abs(v) > SILENCE_LEVEL]
    return samples[loud[0] : loud[-1] + 1] if loud else samples


def loudnorm(wav: bytes, *options: str) -> subprocess.CompletedProcess[bytes]:
    """Run ffmpeg's low-pass and loudnorm filters on ``wav``; raw samples at RATE on stdout."""
    settings = ":".join([*(f"{k}={v}" for k, v in LOUDNORM.items()), *options])
    command = ["ffmpeg", "-hide_banner", "-nostats", "-nostdin", "-i", "-"]
    command += ["-af", f"{LOWPASS},loudnorm={settings}"]
    command += ["-ar", str(RATE), "-ac", "1", "-f", "s16le", "-"]
    return subprocess.run(
        command,
        input=wav,
        capture_output=True,
        check=True,
    )


def normalise(audio: array.array[int]) -> array.array[int]:
    """The audio at LOUDNORM's loudness, sample for sample where it was.

    Two passes: the first measures, the second applies. loudnorm scales linearly when it can;
    it cannot when that gain would push the peaks over the limit (espeak-ng's peaks are near
    full scale), and then it also limits them. Either way the speech stays in place (its
    resampling to 192 kHz and back adds no delay, the low-pass about a sample), so the
    sentence times measured before normalising stay true; the sample count is checked here,
    and the Keytime tests check that each sentence starts in the audio where the transcript
    says.
    """
    wav = to_wav(audio)
    stderr = loudnorm(wav, "print_format=json").stderr.decode()
    measured = json.loads(stderr[stderr.rindex("{") : stderr.rindex("}") + 1])
    keys = {"I": "input_i", "TP": "input_tp", "LRA": "input_lra", "thresh": "input_thresh"}
    options = [f"measured_{k}={measured[v]}" for k, v in keys.items()]
    options += [f"offset={measured['target_offset']}", "linear=true"]
    normalised = array.array("h", loudnorm(wav, *options).stdout)
    assert len(normalised) == len(audio), (len(normalised), len(audio))
    return normalised


def to_wav(audio: array.array[int]) -> bytes:
    wav = io.BytesIO()
    with wave.open(wav, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(RATE)
        writer.writeframes(audio.tobytes())
    return wav.getvalue()


def main(episode_dir: Path) -> None:
    transcript_path = episode_dir / "transcript.txt"
    spoken = parse_turns(transcript_path.read_text(encoding="utf-8"))
    segments = [replace(s, start=None, end=None) for s in spoken.segments]
    with ThreadPoolExecutor(max_workers=4) as pool:
        voiced = list(pool.map(speak, segments))

    audio = array.array("h")
    timed: list[Segment] = []
    for index, (segment, samples) in enumerate(zip(segments, voiced, strict=True)):
        if index:
            same_turn = segments[index - 1].speaker == segment.speaker
            pause = PAUSE_IN_TURN if same_turn else PAUSE_BETWEEN_TURNS
            audio.extend([0] * int(pause * RATE))
        start = len(audio) / RATE
        audio.extend(samples)
        timed.append(replace(segment, start=round(start, 3)))
    audio.extend([0] * RATE)  # a second of silence to close
    duration = len(audio) / RATE

    starts = {}
    for prefix, sentence in CHAPTER_ANCHORS.items():
        hits = [s.start for s in timed if s.text.startswith(sentence)]
        assert len(hits) == 1, (sentence, hits)
        starts[prefix] = 0.0 if prefix == "Introduction" else hits[0]

    toml_path = episode_dir / "episode.toml"
    document = tomlkit.parse(toml_path.read_text(encoding="utf-8"))
    mp3 = episode_dir / str(document["audio"])
    # Mono, about 24 kbit/s at 22.05 kHz: clear speech, about 8 MB for 45 minutes. ABR (not
    # CBR) because LAME writes its Xing/LAME header, which gives players the exact duration,
    # only in a frame big enough to hold it: CBR frames at this rate are too small.
    subprocess.run(
        ["lame", "--quiet", "-m", "m", "--abr", "24", "--resample", "22.05", "-", str(mp3)],
        input=to_wav(normalise(audio)),
        check=True,
    )
    loudness = measure(mp3)
    assert not problems(loudness, channels=1), problems(loudness, channels=1)
    transcript_path.write_text(write_turns(Transcript(tuple(timed))), encoding="utf-8")

    for chapter in document["chapters"]:  # type: ignore[union-attr]
        for prefix, start in starts.items():
            if str(chapter["title"]).startswith(prefix):
                chapter["start"] = format_timestamp(start)
    toml_path.write_text(tomlkit.dumps(document), encoding="utf-8")
    size = mp3.stat().st_size
    summary = f"{format_timestamp(duration)}, {size / 1e6:.1f} MB, {loudness.describe()}"
    print(f"{mp3}: {summary}, {len(timed)} sentences")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
