"""Cover art: check it against Apple's rules and make the smaller copies we publish.

Pillow is imported only to read an image: the facts the checks need and the copies podkit
makes go through `derived`, so `podkit tag` needs no Pillow for a cover it has seen."""

from __future__ import annotations

import io
import json
import struct
import warnings
from functools import lru_cache, partial
from pathlib import Path
from typing import NamedTuple

from toolkit import derived

FORMAT_EXTENSIONS = {"JPEG": (".jpg", ".jpeg"), "PNG": (".png",)}
MIME_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}
COVER_MIN, COVER_MAX = 1400, 3000
# Far above any cover (3000x3000) or chapter image: a larger one would take gigabytes to
# decode, the aim of a decompression bomb.
MAX_PIXELS = 25_000_000
TOO_LARGE = f"is too large to decode safely: an image may have at most {MAX_PIXELS:,} pixels"
# What Pillow's decoders raise on a damaged file, besides OSError.
_DAMAGED = (OSError, SyntaxError, ValueError, EOFError, struct.error)
_CODE = (__name__, "PIL")  # what the facts and copies derive from, besides the image


class ImageFacts(NamedTuple):
    """What the checks need to know of an image file, read in one pass."""

    problem: str | None  # why it cannot be used as an image; None when it decodes in full
    format: str | None = None  # Pillow's name for it (JPEG, PNG, GIF...), None if unknown
    width: int = 0
    height: int = 0
    mode: str = ""


def image_facts(path: Path) -> ImageFacts:
    """The image's facts, from the derived-values cache when one is in use and has them."""
    if not derived.in_use():
        return _read_facts(path)
    try:
        source = path.read_bytes()
    except OSError:
        return _read_facts(path)  # its problem, as Pillow words it
    kept = derived.cached("image", source, lambda: _dumped_facts(path), _CODE)
    try:
        return ImageFacts(*json.loads(kept))
    except (ValueError, TypeError):  # kept by a podkit that stored something else
        return _read_facts(path)


def _dumped_facts(path: Path) -> bytes:
    return json.dumps(_read_facts(path)).encode("utf-8")


def _read_facts(path: Path) -> ImageFacts:
    from PIL import Image, UnidentifiedImageError

    kind = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                kind, (width, height), mode = image.format, image.size, image.mode
                if width * height > MAX_PIXELS:
                    return ImageFacts(TOO_LARGE, kind, width, height, mode)
                # A JPEG decoded at an eighth of its size still reads every byte, faster.
                image.draft(image.mode, (width // 8, height // 8))
                image.load()
                return ImageFacts(None, kind, width, height, mode)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return ImageFacts(TOO_LARGE)
    except UnidentifiedImageError:
        return ImageFacts("is not an image: use a JPEG or PNG")
    except _DAMAGED as error:
        return ImageFacts(f"is damaged ({error}): export the image again", kind)


def image_problem(path: Path) -> str | None:
    """Why this file cannot be used as an image (None when it decodes in full): not an
    image, too large to decode safely, or damaged (truncated, corrupt data)."""
    return image_facts(path).problem


def image_format(path: Path) -> str | None:
    """``JPEG`` or ``PNG``, or None when the file is neither (or not an image at all)."""
    kind = image_facts(path).format
    return kind if kind in FORMAT_EXTENSIONS else None


def image_mime(path: Path) -> str:
    """The MIME type of a JPEG or PNG file, from its content: its name may say otherwise."""
    kind = image_format(path)
    return MIME_TYPES[kind] if kind else "application/octet-stream"


def cover_problems(path: Path) -> list[str]:
    """Why Apple Podcasts would refuse this file as show or episode art (empty when fine)."""
    facts = image_facts(path)
    if facts.problem is not None:
        return [facts.problem]
    kind, width, height, mode = facts.format, facts.width, facts.height, facts.mode
    problems = []
    if kind not in FORMAT_EXTENSIONS:
        problems.append(f"is a {kind} image: Apple accepts only JPEG or PNG")
    elif path.suffix.lower() not in FORMAT_EXTENSIONS[kind]:
        wanted = " or ".join(FORMAT_EXTENSIONS[kind])
        problems.append(
            f"is a {kind} image but its name ends in {path.suffix!r}: rename it {wanted}"
        )
    if width != height:
        problems.append(f"is {width}x{height} pixels: cover art must be square")
    elif not COVER_MIN <= width <= COVER_MAX:
        problems.append(
            f"is {width}x{height} pixels: cover art must be {COVER_MIN} to {COVER_MAX} pixels wide"
        )
    if mode not in ("RGB", "RGBA" if kind == "PNG" else "RGB"):
        problems.append(f"uses the {mode} colour space: save it as RGB")
    return problems


def resized_jpeg(path: Path, size: int, quality: int = 85) -> bytes:
    """A square JPEG copy at most ``size`` pixels wide (for tags, pages and the favicon).

    Pillow writes no timestamps into JPEGs, so the same source gives the same bytes. The tags
    and the pages both want the show's cover at 600 px: it is made once per version of the file.
    """
    if derived.in_use():
        make = partial(_resized_jpeg, path, size, quality, path.stat().st_mtime_ns)
        return derived.cached(f"jpeg{size}q{quality}", path.read_bytes(), make, _CODE)
    return _resized_jpeg(path, size, quality, path.stat().st_mtime_ns)


@lru_cache(maxsize=16)
def _resized_jpeg(path: Path, size: int, quality: int, modified: int) -> bytes:
    from PIL import Image

    with Image.open(path) as image:
        image.draft("RGB", (size, size))  # a JPEG decodes straight at a smaller scale: fast
        copy = image.convert("RGB")
    if copy.width > size:
        copy = copy.resize((size, size), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def favicon_png(path: Path, size: int = 64) -> bytes:
    from PIL import Image

    with Image.open(path) as image:
        icon = image.convert("RGB").resize((size, size), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    icon.save(out, "PNG", optimize=True)
    return out.getvalue()


CHAPTER_IMAGE_MAX = 3000  # pixels on the longer side, as for covers
CHAPTER_IMAGE_SIZE = 600  # the copy in the tags and the site: sharp on a phone, light


def chapter_image_problem(path: Path) -> str | None:
    """Why a chapter image (JPEG or PNG, square or not) is refused: larger than covers."""
    facts = image_facts(path)
    width, height = facts.width, facts.height
    if max(width, height) > CHAPTER_IMAGE_MAX:
        return (
            f"{path.name} is {width}x{height} pixels: a chapter image may be at most "
            f"{CHAPTER_IMAGE_MAX} pixels on its longer side"
        )
    return None


def chapter_image_bytes(path: Path) -> bytes:
    """The chapter image as the tags and the site carry it: the file itself when it is at most
    CHAPTER_IMAGE_SIZE pixels on its longer side, else a copy that size, in the same format."""
    if derived.in_use():
        make = partial(_chapter_image_bytes, path, path.stat().st_mtime_ns)
        return derived.cached("chapter-image", path.read_bytes(), make, _CODE)
    return _chapter_image_bytes(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=64)
def _chapter_image_bytes(path: Path, modified: int) -> bytes:
    from PIL import Image

    with Image.open(path) as image:
        if max(image.size) <= CHAPTER_IMAGE_SIZE:
            return path.read_bytes()
        kind = image.format
        copy = image.convert("RGBA" if kind == "PNG" and "A" in image.mode else "RGB")
    copy.thumbnail((CHAPTER_IMAGE_SIZE, CHAPTER_IMAGE_SIZE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if kind == "PNG":
        copy.save(out, "PNG", optimize=True)
    else:
        copy.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue()
