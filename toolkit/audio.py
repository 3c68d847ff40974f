"""The only code that touches MP3 files: probe them and write their ID3 tags (mutagen)."""

from __future__ import annotations

import io
import os
import struct
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, BinaryIO, cast

from mutagen import MutagenError, PaddingInfo
from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    PCST,
    TALB,
    TCON,
    TDES,
    TDRC,
    TGID,
    TIT2,
    TLAN,
    TPE1,
    TRCK,
    WOAS,
    WXXX,
    CTOCFlags,
    ID3NoHeaderError,
    PictureType,
    TextFrame,
)
from mutagen.id3 import Frames as MUTAGEN_FRAMES
from mutagen.id3 import error as ID3Error
from mutagen.id3._tags import save_frame
from mutagen.mp3 import MP3, HeaderNotFoundError, MPEGFrame, MPEGInfo
from mutagen.mp3._util import XingHeader, XingHeaderError

from toolkit import logs
from toolkit.errors import Problem, ToolkitError
from toolkit.journal import CannotInsert, roll_back, write_in_place
from toolkit.model import AudioInfo, FrozenValue, value
from toolkit.timecode import format_timestamp

log = logs.Logger(__name__)


class AudioError(Exception):
    """The file is not usable MPEG audio; the message says why and what to do."""


_OTHER_FORMATS = (
    (b"RIFF", 0, "a WAV file"),
    (b"ftyp", 4, "an MP4/M4A file"),
    (b"fLaC", 0, "a FLAC file"),
    (b"OggS", 0, "an Ogg file"),
)


# What mutagen raises on a damaged tag besides its own errors (it unpacks sizes and decodes
# text without checking them first).
_DAMAGED_TAG = (MutagenError, struct.error, ValueError, IndexError, EOFError, OverflowError)
DAMAGED_TAG_MESSAGE = "has a damaged or cut-off ID3 tag: copy or export the file again"


def _id3v2_size(head: bytes) -> int:
    """Bytes taken by a leading ID3v2 tag (0 when there is none)."""
    if len(head) < 10 or head[:3] != b"ID3":
        return 0
    size = 0
    for byte in head[6:10]:
        size = (size << 7) | (byte & 0x7F)
    return 10 + size + _footer_size(head)


def _footer_size(tag: bytes) -> int:
    """Bytes of the footer that ends an ID3v2.4 tag whose header (``tag``'s start) says it
    has one: 0 or 10."""
    return 10 if len(tag) >= 10 and tag[5] & 0x10 else 0


def audio_start(data: bytes) -> int:
    """Offset of the first MPEG frame: everything before it is the ID3v2 tag."""
    return _id3v2_size(data[:10])


def probe_stream(stream: BinaryIO, size: int) -> AudioInfo:
    """Duration, size and format of an MP3 read from ``stream`` (only its head and the
    headers mutagen needs); AudioError when it is not MPEG audio."""
    stream.seek(0)
    head = stream.read(12)
    for magic, offset, name in _OTHER_FORMATS:
        if head[offset : offset + len(magic)] == magic:
            raise AudioError(f"is {name}, not an MP3: encode it as MP3 (e.g. lame -V5 in.wav)")
    start = _id3v2_size(head)
    # mutagen's MP3() looks for the stream where the tag's frames end (a footer it skips).
    frames_end = start - _footer_size(head) if start else start
    stream.seek(0)
    _check_old_tag(stream.read(start), frames_end)
    try:
        info: Any = MPEGInfo(stream, frames_end)
    except HeaderNotFoundError:
        raise AudioError(
            "is not MPEG audio: no MP3 frame found; export the episode as MP3"
        ) from None
    except MutagenError as error:
        raise AudioError(f"cannot be read as MP3 ({error}): export it as MP3 again") from None
    stream.seek(start)
    if info.sketchy or stream.read(1) != b"\xff":
        raise AudioError("does not start with an MPEG frame: re-export it as MP3")
    _check_complete(stream, size, start)
    return AudioInfo(
        duration=round(info.length, 3),
        size=size,
        bitrate=info.bitrate,
        sample_rate=info.sample_rate,
        channels=info.channels,
    )


def _check_old_tag(tag: bytes, frames_end: int) -> None:
    """AudioError when the file's ID3v2 tag (``tag``, its bytes) is cut off or damaged. The
    parsed tag is kept for `render_tag`, which would parse the same bytes again."""
    if len(tag) < frames_end:
        raise AudioError(DAMAGED_TAG_MESSAGE)
    parsed = _read_old_tag(io.BytesIO(tag + bytes(ID3V1_SIZE)))
    if len(_PARSED_TAGS) >= _PARSED_TAGS_KEPT:
        _PARSED_TAGS.clear()  # tags probed long ago are seldom taken
    _PARSED_TAGS[tag] = parsed


def _take_parsed(tag: bytes) -> Any:
    """The old tag `probe` parsed from exactly these bytes, handed out once; else None."""
    return _PARSED_TAGS.pop(tag, None)


# Old tags `probe` parsed, by their bytes, each for `render_tag` to take once: the same
# bytes parse to the same frames, and a file changed since is read and parsed anew. Each
# use is one dict operation, atomic when threads probe (the importer's do).
_PARSED_TAGS: dict[bytes, Any] = {}
_PARSED_TAGS_KEPT = 4


class _Head(io.RawIOBase):
    """The first bytes of a file of ``size`` bytes, read as that file (zeros after them):
    enough for mutagen to read an MP3's first frames and its size."""

    def __init__(self, head: bytes, size: int) -> None:
        self.head, self.size, self.position = head, size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = max(base + offset, 0)
        return self.position

    def tell(self) -> int:
        return self.position

    def readinto(self, buffer: Any) -> int:
        count = max(min(len(buffer), self.size - self.position), 0)
        known = self.head[self.position : self.position + count]
        buffer[:count] = known + bytes(count - len(known))
        self.position += count
        return count


def duration_from_head(frames: bytes, size: int) -> float | None:
    """The duration of ``size`` bytes of MPEG audio (no tag) that begin with ``frames``, for a
    file on another host: from the Xing/LAME header's frame count, else from the bitrate;
    None when ``frames`` is not MPEG audio."""
    try:
        info: Any = MP3(_Head(frames, size)).info
    except (*_DAMAGED_TAG, HeaderNotFoundError):
        return None
    return round(info.length, 3) if info.length > 0 else None


def _check_complete(stream: BinaryIO, size: int, start: int) -> None:
    """A Xing/LAME header records the stream's byte count: fewer bytes means truncation."""
    stream.seek(start)
    try:
        frame = MPEGFrame(stream)
        stream.seek(start + XingHeader.get_offset(frame))
        xing = XingHeader(stream)
    except (HeaderNotFoundError, XingHeaderError):
        return  # no Xing header: a CBR file whose length mutagen estimates from its size
    if xing.bytes > 0:
        stream.seek(max(0, size - 128))
        has_id3v1 = stream.read(3) == b"TAG"
        present = size - start - (128 if has_id3v1 else 0)
        if present < xing.bytes * 0.99:
            raise AudioError(
                f"is truncated: its header announces {xing.bytes} bytes of audio "
                f"but only {present} are there; copy or export the file again"
            )


class WFED(TextFrame):
    """The podcast's feed URL as iTunes writes it: a text frame (an encoding byte, then the
    text) under the WFED id. mutagen declares WFED a URL frame, which iTunes, TagLib and
    eyeD3 would misread; the class name is the frame id mutagen writes."""


def _feed_frame(url: str) -> Any:
    frame: Any = WFED  # a mutagen frame: untyped
    return frame(encoding=0 if url.isascii() else 1, text=[url])  # Latin-1, as iTunes


# mutagen's frame table with WFED read as iTunes writes it: readers of podkit's tags use it.
KNOWN_FRAMES = {**MUTAGEN_FRAMES, "WFED": WFED}


def _read_id3(data: bytes) -> ID3 | None:
    """The file's ID3v2 tag, None when it has none; AudioError when it is damaged."""
    try:
        return ID3(io.BytesIO(data), known_frames=KNOWN_FRAMES)
    except ID3NoHeaderError:
        return None
    except ID3Error:
        raise AudioError(DAMAGED_TAG_MESSAGE) from None


def probe_bytes(data: bytes) -> AudioInfo:
    return probe_stream(io.BytesIO(data), len(data))


def probe(path: Path) -> AudioInfo:
    with path.open("rb") as stream:
        return probe_stream(stream, path.stat().st_size)


# ---------------------------------------------------------------- tagging

# Frames podkit owns outright: every one in the old tag goes (CHAP and CTOC included, the
# chapters are podkit's). Its comment and front cover replace only their own slot (see
# _drop_replaced); every other frame a file carries is kept as it was.
MANAGED_FRAMES = (
    "TIT2",
    "TPE1",
    "TALB",
    "TDRC",
    "TYER",
    "TDAT",
    "TIME",
    "TCON",
    "TRCK",
    "TLAN",
    "PCST",
    "TGID",
    "WFED",
    "TDES",
    "WOAS",
    "CHAP",
    "CTOC",
)
NO_OFFSET = 0xFFFFFFFF  # CHAP byte offsets unused: players seek by time
# A tag that must grow past its room is written with at least PADDING bytes free and a size
# that is a whole number of TAG_BLOCKs, so the next edit (a title, a new cover) fits in place;
# the size depends only on the tag's content, so a re-tag in place and a fresh copy agree.
PADDING = 16 * 1024
TAG_BLOCK = 64 * 1024
KEEP_PADDING = TAG_BLOCK + PADDING  # more room than this is given back on the next write
COPY_CHUNK = 1 << 20


@value
class ChapterTag(FrozenValue):
    start_ms: int
    end_ms: int
    title: str
    url: str | None = None
    image: bytes | None = None
    image_mime: str = "image/jpeg"
    hidden: bool = False


@value
class EpisodeTags(FrozenValue):
    title: str
    artist: str
    album: str
    date: str  # YYYY-MM-DD
    track: int | None
    comment: str
    language: str  # ISO 639-2, e.g. fra
    guid: str
    page_url: str
    feed_url: str
    cover_jpeg: bytes | None = None
    chapters: tuple[ChapterTag, ...] = ()
    toc_title: str = "Chapitres"


class ChapterOrderedID3(ID3):
    """mutagen sorts frames it does not rank by size (quodlibet/mutagen#506), which puts CHAP
    frames out of order and makes ffprobe list chapters shuffled. Same sort, but CHAP frames
    by start time and CTOC before them."""

    def _write(self, config: Any) -> bytes:
        order = ["TIT2", "TPE1", "TRCK", "TALB", "TPOS", "TDRC", "TCON"]
        frames: Any = cast(Any, self).values()  # mutagen is untyped
        framedata = [(f, save_frame(f, config=config)) for f in frames]

        def sort_key(item: tuple[int, tuple[Any, bytes]]) -> tuple[int, int, int, str]:
            index, (frame, data) = item
            if frame.FrameID in order:
                rank, secondary = order.index(frame.FrameID), len(data)
            elif frame.FrameID == "CTOC":
                rank, secondary = len(order) + 1, 0
            elif frame.FrameID == "CHAP":
                rank, secondary = len(order) + 2, frame.start_time
            elif frame.FrameID == "APIC":  # the front cover first: some players show the first
                rank, secondary = len(order) + 3, frame.type != PictureType.COVER_FRONT
            else:
                rank, secondary = len(order), len(data)
            return (rank, secondary, index if frame.FrameID == "APIC" else 0, frame.HashKey)

        ordered = [data for _, (_, data) in sorted(enumerate(framedata), key=sort_key)]
        if self._unknown_v2_version == config.v2_version:
            ordered.extend(data for data in self.unknown_frames if len(data) > 10)
        return bytes(bytearray().join(ordered))


def _padding(available: int, info: Any) -> int:
    # Keep the room there is when the new tag fits it, so re-tagging rewrites only the tag
    # and tagging twice gives the same bytes; otherwise leave room for the next edit.
    padding: int = info.padding
    if 0 <= padding <= KEEP_PADDING:
        return padding
    needed = available - padding
    return -(-(needed + PADDING) // TAG_BLOCK) * TAG_BLOCK - needed


def _chapter_frames(chapters: tuple[ChapterTag, ...], toc_title: str) -> list[Any]:
    frames: list[Any] = []
    ids = [f"chp{i}" for i in range(len(chapters))]
    frames.append(
        CTOC(
            element_id="toc",
            flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
            child_element_ids=[i for i, c in zip(ids, chapters, strict=True) if not c.hidden],
            sub_frames=[TIT2(encoding=3, text=[toc_title])],
        )
    )
    for element_id, chapter in zip(ids, chapters, strict=True):
        sub_frames: list[Any] = [TIT2(encoding=3, text=[chapter.title])]
        if chapter.url:
            sub_frames.append(WXXX(encoding=3, desc="", url=chapter.url))
        if chapter.image:
            sub_frames.append(
                APIC(
                    encoding=3,
                    mime=chapter.image_mime,
                    type=PictureType.OTHER,
                    desc="",
                    data=chapter.image,
                )
            )
        frames.append(
            CHAP(
                element_id=element_id,
                start_time=chapter.start_ms,
                end_time=chapter.end_ms,
                start_offset=NO_OFFSET,
                end_offset=NO_OFFSET,
                sub_frames=sub_frames,
            )
        )
    return frames


def render_tag(head: bytes, tags: EpisodeTags, v2_version: int = 3) -> bytes:
    """The new ID3v2 tag, padding included, to replace ``head`` (the file's current tag,
    empty when it has none). Frames podkit does not write are carried over."""
    # 128 blank bytes stand for the audio, so mutagen never mistakes the end of the old tag
    # for an ID3v1 tag; they are cut off again below. mutagen replaces a tag but not its
    # footer, which the new tag (never with one) replaces too.
    buffer = io.BytesIO(_without_footer(head) + bytes(ID3V1_SIZE))
    id3 = _take_parsed(head)
    if id3 is None:
        id3 = _read_old_tag(buffer)
    _drop_replaced(id3, tags)
    for frame in _frames(tags, _free_description(id3, "Cover")):
        id3.add(frame)
    try:
        _save(id3, buffer, v2_version, len(head))
    except _DAMAGED_TAG:
        if not head:
            raise  # nothing was read: the fault is in podkit's own frames
        # mutagen reads some frames it cannot write back (a bad frame ID inside a LINK,
        # out-of-range values): the old tag is damaged.
        raise AudioError(DAMAGED_TAG_MESSAGE) from None
    return buffer.getvalue()[:-ID3V1_SIZE]


def _without_footer(tag: bytes) -> bytes:
    """An ID3v2.4 tag without the footer that ends it, if it has one."""
    return tag[: len(tag) - _footer_size(tag)]


def _save(id3: Any, buffer: BinaryIO, v2_version: int, available: int) -> None:
    if v2_version == 3:
        id3.update_to_v23()
        # v2.3 spells the date TYER (year) and TDAT (DDMM); eyeD3 reads a TDAT of days 1 to 9
        # as a year and warns, so the day stays in the feed and the page, the year in the tag.
        id3.delall("TDAT")
    else:
        id3.update_to_v24()
    buffer.seek(0)
    id3.save(buffer, v2_version=v2_version, v23_sep="/", padding=partial(_padding, available))


def _read_old_tag(buffer: BinaryIO) -> Any:
    new_id3: Any = ChapterOrderedID3  # mutagen is untyped
    try:
        return new_id3(buffer)
    except ID3NoHeaderError:
        return new_id3()
    except _DAMAGED_TAG:
        raise AudioError(DAMAGED_TAG_MESSAGE) from None


def _drop_replaced(id3: Any, tags: EpisodeTags) -> None:
    """Remove the old frames the new ones replace: those podkit owns, its own comment (its
    language, no description) and the front cover when it writes one."""
    for frame_id in MANAGED_FRAMES:
        id3.delall(frame_id)
    id3.pop(f"COMM::{tags.language}", None)
    if tags.cover_jpeg:
        for key, frame in list(id3.items()):
            if frame.FrameID == "APIC" and frame.type == PictureType.COVER_FRONT:
                del id3[key]


def _free_description(id3: Any, wanted: str) -> str:
    """``wanted``, or ``wanted 2``, ... : a picture's description must differ from those of
    the pictures kept, or the new one would replace one of them."""
    taken = {frame.desc for frame in id3.getall("APIC")}
    return next(
        name
        for name in (wanted if n == 1 else f"{wanted} {n}" for n in range(1, len(taken) + 2))
        if name not in taken
    )


def _frames(tags: EpisodeTags, cover_description: str = "Cover") -> list[Any]:
    frames: list[Any] = [
        TIT2(encoding=3, text=[tags.title]),
        TPE1(encoding=3, text=[tags.artist]),
        TALB(encoding=3, text=[tags.album]),
        TDRC(encoding=3, text=[tags.date]),
        TCON(encoding=3, text=["Podcast"]),
        COMM(encoding=3, lang=tags.language, desc="", text=[tags.comment]),
        TDES(encoding=3, text=[tags.comment]),
        TLAN(encoding=3, text=[tags.language]),
        PCST(value=1),
        TGID(encoding=3, text=[tags.guid]),
        WOAS(url=tags.page_url),
        _feed_frame(tags.feed_url),
    ]
    if tags.track is not None:
        frames.append(TRCK(encoding=3, text=[str(tags.track)]))
    if tags.cover_jpeg:
        frames.append(
            APIC(
                encoding=3,
                mime="image/jpeg",
                type=PictureType.COVER_FRONT,
                desc=cover_description,
                data=tags.cover_jpeg,
            )
        )
    if tags.chapters:
        frames.extend(_chapter_frames(tags.chapters, tags.toc_title))
    return frames


# ---------------------------------------------------------------- ID3v1

# An ID3v1 tag found at the end of a file is rewritten from podkit's fields, so players that
# read only ID3v1 show the episode, not what the file said before; podkit never adds one.
ID3V1_SIZE = 128
_PODCAST_GENRE = TCON.GENRES.index("Podcast")
# ID3v1 text is latin-1: typography that has a plain equivalent gets it, the rest becomes "?".
_LATIN1_EQUIVALENTS = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u0153": "oe",
        "\u0152": "OE",
        "\u20ac": "EUR",
    }
)


def _audio_end(size: int, start: int, tail: bytes) -> int:
    """Where the audio ends: before the ID3v1 tag when ``tail``, the file's last 128 bytes,
    is one."""
    if size - start >= ID3V1_SIZE and tail[:3] == b"TAG":
        return size - ID3V1_SIZE
    return size


def _id3v1_field(text: str, width: int) -> bytes:
    plain = " ".join(text.split()).translate(_LATIN1_EQUIVALENTS)
    return plain.encode("latin-1", "replace")[:width].ljust(width, b"\0")


def id3v1_tag(tags: EpisodeTags) -> bytes:
    """An ID3v1.1 tag with podkit's fields, each cut to its fixed width."""
    track = tags.track if tags.track is not None and 0 < tags.track < 256 else 0
    return b"".join(
        (
            b"TAG",
            _id3v1_field(tags.title, 30),
            _id3v1_field(tags.artist, 30),
            _id3v1_field(tags.album, 30),
            _id3v1_field(tags.date[:4], 4),
            _id3v1_field(tags.comment, 28),
            bytes((0, track, _PODCAST_GENRE)),
        )
    )


# ---------------------------------------------------------------- writing


def tag_bytes(data: bytes, tags: EpisodeTags, v2_version: int = 3) -> bytes:
    """The MP3 with podkit's tags; the audio after the tag is left byte for byte."""
    start = audio_start(data)
    end = _audio_end(len(data), start, data[-ID3V1_SIZE:])
    id3v1 = id3v1_tag(tags) if end < len(data) else b""
    return render_tag(data[:start], tags, v2_version) + data[start:end] + id3v1


@value
class TagPatch(FrozenValue):
    """What tagging a file changes: its ID3v2 tag (padding included, from offset 0) and its
    ID3v1 tag (its last 128 bytes, empty when it has none); the audio between stays."""

    tag: bytes
    id3v1: bytes
    size: int  # the tagged file's size

    def writes(self) -> list[tuple[int, bytes]]:
        """(offset, bytes) of each region written, for a file whose tag has this size."""
        writes = [(0, self.tag)]
        if self.id3v1:
            writes.append((self.size - ID3V1_SIZE, self.id3v1))
        return writes


def _read_regions(stream: BinaryIO, size: int) -> tuple[bytes, int]:
    """The file's ID3v2 tag (empty when none) and where its audio ends."""
    start = _id3v2_size(stream.read(10))
    stream.seek(max(0, size - ID3V1_SIZE))
    end = _audio_end(size, start, stream.read(ID3V1_SIZE))
    stream.seek(0)
    return stream.read(start), end


def tag_patch(source: Path, tags: EpisodeTags, v2_version: int = 3) -> TagPatch:
    """The tags ``source`` gets, read from its head and tail only."""
    with source.open("rb") as stream:
        size = os.fstat(stream.fileno()).st_size
        head, end = _read_regions(stream, size)
    tag = render_tag(head, tags, v2_version)
    id3v1 = id3v1_tag(tags) if end < size else b""
    return TagPatch(tag, id3v1, len(tag) + end - len(head) + len(id3v1))


@value
class CoverPatch(FrozenValue):
    """What a new front cover changes in a tagged file: the regions from its cover frame to
    the end of its frames (the rest of the tag and the audio stay)."""

    writes: list[tuple[int, bytes]]  # (offset, bytes); the new cover frame is shared
    size: int  # the file's size, the same before and after


def cover_patch(
    path: Path, source: Path, cover_jpeg: bytes, v2_version: int = 3
) -> CoverPatch | None:
    """What replacing the front cover of ``path``, podkit's tagged copy of ``source``, by
    ``cover_jpeg`` writes: the file is then byte for byte as `tag_patch` would make it when
    nothing else in its tags changed, but its other frames are not made again. None when the
    tag is not laid out as podkit writes it, or the new one does not fit its room."""
    with source.open("rb") as stream:
        available = _id3v2_size(stream.read(10))  # the room `render_tag` sizes the tag from
    with path.open("rb") as stream:
        size = os.fstat(stream.fileno()).st_size
        head = stream.read(10)
        tag = head + stream.read(_id3v2_size(head) - 10) if _id3v2_size(head) else b""
    found = _cover_frame(tag, v2_version)
    if found is None:
        return None
    start, end, frames_end = found
    frame = _with_picture(tag[start:end], cover_jpeg, v2_version)
    if frame is None:
        return None
    after = tag[end:frames_end]  # the pictures podkit keeps, the frames it does not know
    needed = start + len(frame) + len(after)
    if needed + _padding(available, PaddingInfo(available - needed, 0)) != len(tag):
        return None  # the tag's size changes: the file is written anew
    writes = [(start, frame), (start + len(frame), after)]
    if frames_end > needed:  # the old frames' end, past the new ones, becomes padding
        writes.append((needed, _zeros(frames_end - needed)))
    return CoverPatch([(offset, data) for offset, data in writes if data], size)


def _cover_frame(tag: bytes, v2_version: int) -> tuple[int, int, int] | None:
    """Where the first picture frame of the tag starts and ends, and where its frames end
    (the padding begins); None when the tag is not an ID3v2 tag of this version without
    flags, or has no picture frame. podkit's front cover sorts first among the pictures."""
    if len(tag) < 10 or tag[:6] != b"ID3" + bytes((v2_version, 0, 0)):
        return None
    position, cover = 10, None
    while position + 10 <= len(tag) and tag[position] != 0:
        end = position + 10 + _frame_size(tag[position + 4 : position + 8], v2_version)
        if end > len(tag):
            return None
        if cover is None and tag[position : position + 4] == b"APIC":
            cover = position, end
        position = end
    return None if cover is None else (*cover, position)


def _frame_size(raw: bytes, v2_version: int) -> int:
    bits = 7 if v2_version == 4 else 8
    size = 0
    for byte in raw:
        size = (size << bits) | byte
    return size


def _with_picture(frame: bytes, jpeg: bytes, v2_version: int) -> bytes | None:
    """The APIC ``frame`` (a JPEG front cover, as podkit writes it) with another picture;
    None when it is not such a frame."""
    if frame[8:10] != b"\0\0":  # flags: compressed, encrypted... are not podkit's
        return None
    body = _picture_head(frame[10:])
    return None if body is None else _picture_frame(body, jpeg, v2_version)


@lru_cache(maxsize=8)
def _picture_frame(head: bytes, jpeg: bytes, v2_version: int) -> bytes:
    """One object for every file whose cover frame has this head: a show's episodes share it."""
    bits = 7 if v2_version == 4 else 8
    return b"APIC" + _to_int(len(head) + len(jpeg), bits) + b"\0\0" + head + jpeg


@lru_cache(maxsize=8)
def _zeros(count: int) -> bytes:
    return bytes(count)


def _picture_head(body: bytes) -> bytes | None:
    """An APIC frame's fields before its picture (encoding, MIME type, picture type and
    description), when it is a JPEG front cover; else None."""
    mime_end = body.find(b"\0", 1)
    if body[1:mime_end] != b"image/jpeg" or body[mime_end + 1 : mime_end + 2] != b"\3":
        return None
    description = mime_end + 2
    if body[0] in (1, 2):  # UTF-16: a two-byte terminator on a character boundary
        end = description
        while end + 1 < len(body) and body[end : end + 2] != b"\0\0":
            end += 2
        end += 2
    else:
        end = body.find(b"\0", description) + 1
    if end <= description or end > len(body):
        return None
    return body[:end]


def _to_int(value: int, bits: int) -> bytes:
    mask = (1 << bits) - 1
    return bytes((value >> (bits * shift)) & mask for shift in (3, 2, 1, 0))


def fits_in_place(path: Path, patch: TagPatch) -> bool:
    """Whether ``patch`` can be written over ``path`` without moving its audio: the file's tag
    takes exactly the patch's room and the file has the patch's size."""
    with path.open("rb") as stream:
        size = os.fstat(stream.fileno()).st_size
        head = stream.read(10)
        if size != patch.size or _id3v2_size(head) != len(patch.tag) or not head:
            return False
        stream.seek(max(0, size - ID3V1_SIZE))
        return (stream.read(3) == b"TAG") == bool(patch.id3v1)


def write_tagged(source: Path, tags: EpisodeTags, target: BinaryIO, v2_version: int = 3) -> int:
    """Write ``source`` with podkit's tags to ``target``: the new tag, then the audio copied by
    the kernel (copy_file_range) without passing through Python. Returns the bytes written."""
    with source.open("rb") as stream:
        size = os.fstat(stream.fileno()).st_size
        head, end = _read_regions(stream, size)
        tag = render_tag(head, tags, v2_version)
        id3v1 = id3v1_tag(tags) if end < size else b""
        target.write(tag)
        target.flush()
        _copy_rest(stream, len(head), target, end - len(head))
        target.seek(0, os.SEEK_END)  # the kernel's copy moved the end behind Python's back
        target.write(id3v1)
    return len(tag) + end - len(head) + len(id3v1)


@value
class TagResult(FrozenValue):
    in_place: bool  # only the tag regions were written (else the file was rewritten)
    removed: list[Path]  # temporary files an interrupted run had left, now removed
    recovered: str | None  # what was done with a journal an interrupted run had left


def tag_file(path: Path, tags: EpisodeTags, v2_version: int = 3) -> TagResult:
    """Tag an MP3 safely. When the new tag fits the room of the old one, only the tag is
    written, in place, under a rollback journal (see `write_in_place`). When it needs more
    room, the file system inserts it at the start of the file where it can (see `_grow`);
    otherwise the new file is written beside it and renamed over it. A symbolic link stays a
    link: the file it points to is tagged. A journal or temporary files left by an interrupted
    run are dealt with first. A file this process may not write is never replaced: the
    PermissionError goes to the caller and the file is unchanged."""
    path = path.resolve(strict=True)
    recovered = roll_back(path)
    removed = remove_stale_temporaries(path)
    patch = tag_patch(path, tags, v2_version)
    if fits_in_place(path, patch):
        write_in_place(path, patch.writes())
        return TagResult(True, removed, recovered)
    if _grow(path, patch):
        return TagResult(True, removed, recovered)
    _rewrite(path, tags, v2_version)
    return TagResult(False, removed, recovered)


def _grow(path: Path, patch: TagPatch) -> bool:
    """Write a tag larger than the file's room in place: the file system inserts whole blocks
    before the old tag (moving no audio), and the new tag covers them and the old one, under
    a rollback journal. False, nothing written, when the growth is not whole blocks, when the
    file has other hard links (they would change too, where a rewrite leaves them as they
    were) or when the file system cannot insert."""
    with path.open("rb") as stream:
        found = os.fstat(stream.fileno())
        grown = patch.size - found.st_size
        room = _id3v2_size(stream.read(10))
        stream.seek(max(0, found.st_size - ID3V1_SIZE))
        has_id3v1 = stream.read(3) == b"TAG" and found.st_size - room >= ID3V1_SIZE
    if (
        found.st_nlink != 1
        or grown <= 0
        or grown % found.st_blksize
        or room + grown != len(patch.tag)
        or has_id3v1 != bool(patch.id3v1)
    ):
        return False
    try:
        write_in_place(path, patch.writes(), inserted=grown)
    except CannotInsert:
        return False
    return True


def _rewrite(path: Path, tags: EpisodeTags, v2_version: int) -> None:
    import tempfile  # a re-tag in place needs none

    handle, temporary = tempfile.mkstemp(
        prefix=_TEMPORARY_PREFIX.format(path.name), suffix=_TEMPORARY_SUFFIX, dir=path.parent
    )
    try:
        with os.fdopen(handle, "wb") as target:
            write_tagged(path, tags, target, v2_version)
        os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# tag_file's temporary files: mkstemp puts 8 characters of this set between prefix and suffix.
_TEMPORARY_PREFIX, _TEMPORARY_SUFFIX = ".{}.", ".tmp"
_TEMPORARY_MARK, _TEMPORARY_MARK_LENGTH = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_"), 8


def _is_temporary(name: str, prefix: str) -> bool:
    """Whether ``name`` is ``prefix``, a mark as mkstemp makes them, then the suffix."""
    mark = name[len(prefix) : len(name) - len(_TEMPORARY_SUFFIX)]
    return (
        len(name) == len(prefix) + _TEMPORARY_MARK_LENGTH + len(_TEMPORARY_SUFFIX)
        and name.startswith(prefix)
        and name.endswith(_TEMPORARY_SUFFIX)
        and _TEMPORARY_MARK.issuperset(mark)
    )


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Delete what an interrupted tag_file of ``path`` left beside it: regular files named
    exactly as its temporary files are, nothing else. Returns what was removed."""
    prefix = _TEMPORARY_PREFIX.format(path.name)
    removed = []
    for entry in os.scandir(path.parent):
        if _is_temporary(entry.name, prefix) and entry.is_file(follow_symlinks=False):
            Path(entry.path).unlink(missing_ok=True)
            removed.append(Path(entry.path))
    return removed


def _copy_rest(source: BinaryIO, offset: int, target: BinaryIO, count: int) -> None:
    source_fd, target_fd = source.fileno(), target.fileno()
    position = offset
    try:
        while count > 0:
            copied = os.copy_file_range(source_fd, target_fd, count, position)
            if copied == 0:
                break
            position += copied
            count -= copied
    except OSError:  # a file system without copy_file_range: copy through Python
        source.seek(position)
        target.seek(0, os.SEEK_END)
        while count > 0:
            chunk = source.read(min(count, COPY_CHUNK))
            if not chunk:
                break
            target.write(chunk)
            count -= len(chunk)


def _printed(frame: Any) -> str:
    """A frame's value as mutagen prints it; a counter of thousands of digits is more than
    Python turns into text."""
    try:
        return str(frame.pprint().partition("=")[2])
    except ValueError:
        return "(too large to print)"


def describe_tags(data: bytes) -> list[str]:
    """Readable lines for `podkit inspect`: the tag version, its frames, the table of contents
    and the chapters in file order; AudioError when the tag is damaged."""
    id3 = _read_id3(data)
    if id3 is None:
        return ["no ID3v2 tag"]
    lines = [f"ID3v2.{id3.version[1]}, {audio_start(data)} bytes of tag (padding included)"]
    for frame in id3.values():
        if frame.FrameID in ("CHAP", "CTOC"):
            continue
        if frame.FrameID == "APIC":
            lines.append(f"  APIC  {frame.mime}, {len(frame.data)} bytes ({frame.type!s})")
        else:
            lines.append(f"  {frame.FrameID}  {_printed(frame)}")
    for toc in id3.getall("CTOC"):
        flags = []
        if toc.flags & CTOCFlags.TOP_LEVEL:
            flags.append("top-level")
        if toc.flags & CTOCFlags.ORDERED:
            flags.append("ordered")
        title = toc.sub_frames.get("TIT2")
        lines.append(
            f"table of contents {toc.element_id!r} ({', '.join(flags) or 'no flags'}): "
            f"{title or ''}, {len(toc.child_element_ids)} entries"
        )
    for element_id, start, end, title in read_chapters(data):
        lines.append(f"  {element_id:>6}  {start / 1000:9.3f} - {end / 1000:9.3f}  {title}")
    return lines


def read_chapters(data: bytes) -> list[tuple[str, int, int, str]]:
    """(element id, start ms, end ms, title) of every CHAP frame, in file order; AudioError
    when the tag is damaged."""
    id3 = _read_id3(data)
    if id3 is None:
        return []
    out = []
    for frame in id3.getall("CHAP"):
        title = frame.sub_frames.get("TIT2")
        out.append((frame.element_id, frame.start_time, frame.end_time, str(title or "")))
    return out


@value
class Inspection(FrozenValue):
    mp3: Path
    info: AudioInfo
    tags: list[str]  # what `describe_tags` says

    def summary(self) -> str:
        info = self.info
        return (
            f"{self.mp3}: {format_timestamp(info.duration)}, {info.bitrate // 1000} kbit/s, "
            f"{info.sample_rate} Hz, {info.channels} channel(s), {info.size} bytes"
        )


def inspect_mp3(mp3: Path) -> Inspection:
    """An MP3's format and the readable lines of its tag; ToolkitError when it cannot be read."""
    try:
        recovered = roll_back(mp3)
        if recovered:
            log.warning("%s", recovered)
        data = mp3.read_bytes()
        return Inspection(mp3, probe_bytes(data), describe_tags(data))
    except OSError as error:
        raise ToolkitError([Problem(mp3, None, f"cannot be read ({error.strerror})")]) from None
    except AudioError as error:
        raise ToolkitError([Problem(mp3, None, str(error))]) from None
