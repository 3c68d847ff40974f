"""The only code that touches MP3 files: probe them and write their ID3 tags (mutagen)."""

from __future__ import annotations

import io
from pathlib import Path

from mutagen.mp3 import MP3, HeaderNotFoundError, MPEGFrame
from mutagen.mp3._util import XingHeader, XingHeaderError

from toolkit.model import AudioInfo


class AudioError(Exception):
    """The file is not usable MPEG audio; the message says why and what to do."""


_OTHER_FORMATS = (
    (b"RIFF", 0, "a WAV file"),
    (b"ftyp", 4, "an MP4/M4A file"),
    (b"fLaC", 0, "a FLAC file"),
    (b"OggS", 0, "an Ogg file"),
)


def _id3v2_size(head: bytes) -> int:
    """Bytes taken by a leading ID3v2 tag (0 when there is none)."""
    if len(head) < 10 or head[:3] != b"ID3":
        return 0
    size = 0
    for byte in head[6:10]:
        size = (size << 7) | (byte & 0x7F)
    footer = 10 if head[5] & 0x10 else 0
    return 10 + size + footer


def audio_start(data: bytes) -> int:
    """Offset of the first MPEG frame: everything before it is the ID3v2 tag."""
    return _id3v2_size(data[:10])


def probe_bytes(data: bytes) -> AudioInfo:
    """Duration, size and format of MP3 bytes; AudioError when they are not MPEG audio."""
    head = data[:12]
    for magic, offset, name in _OTHER_FORMATS:
        if head[offset : offset + len(magic)] == magic:
            raise AudioError(f"is {name}, not an MP3: encode it as MP3 (e.g. lame -V5 in.wav)")
    try:
        mp3 = MP3(io.BytesIO(data))
    except HeaderNotFoundError:
        raise AudioError("is not MPEG audio: no MP3 frame found; export the episode as MP3")
    info = mp3.info
    start = audio_start(data)
    if info.sketchy or data[start : start + 1] != b"\xff":
        raise AudioError("does not start with an MPEG frame: re-export it as MP3")
    _check_complete(data, start)
    return AudioInfo(
        duration=round(info.length, 3),
        size=len(data),
        bitrate=info.bitrate,
        sample_rate=info.sample_rate,
        channels=info.channels,
    )


def _check_complete(data: bytes, start: int) -> None:
    """A Xing/LAME header records the stream's byte count: fewer bytes means truncation."""
    stream = io.BytesIO(data)
    stream.seek(start)
    try:
        frame = MPEGFrame(stream)
        stream.seek(start + XingHeader.get_offset(frame))
        xing = XingHeader(stream)
    except (HeaderNotFoundError, XingHeaderError):
        return  # no Xing header: a CBR file whose length mutagen estimates from its size
    if xing.bytes > 0:
        present = len(data) - start - (128 if data[-128:-125] == b"TAG" else 0)
        if present < xing.bytes * 0.99:
            raise AudioError(
                f"is truncated: its header announces {xing.bytes} bytes of audio "
                f"but only {present} are there; copy or export the file again"
            )


def probe(path: Path) -> AudioInfo:
    return probe_bytes(path.read_bytes())
