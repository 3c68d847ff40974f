"""Timestamps: the one place that turns ``HH:MM:SS.mmm`` into seconds and back."""

from __future__ import annotations

import math
import re

# The longest time podkit takes. ID3 chapter frames hold milliseconds in 32 bits (about
# 1,193 hours), and no episode comes near: a larger time is a typo or a damaged file.
MAX_HOURS = 1000
MAX_SECONDS = MAX_HOURS * 3600

_TIMESTAMP = re.compile(r"(?:(?:(\d{1,9}):)?([0-5]?\d):)?([0-5]?\d|\d{1,12})(?:[.,](\d{1,3}))?")


def parse_timestamp(text: str) -> float:
    """Parse ``HH:MM:SS(.mmm)``, ``MM:SS`` or plain seconds into seconds.

    A comma is accepted for the milliseconds, as SRT writes them.

    >>> parse_timestamp("01:02:03.5")
    3723.5
    >>> parse_timestamp("12:34")
    754.0
    >>> parse_timestamp("00:00:07,250")
    7.25
    >>> parse_timestamp("90")
    90.0
    >>> parse_timestamp("1:75")
    Traceback (most recent call last):
    ...
    ValueError: '1:75' is not a time: write HH:MM:SS or HH:MM:SS.mmm
    """
    match = _TIMESTAMP.fullmatch(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a time: write HH:MM:SS or HH:MM:SS.mmm")
    hours, minutes, seconds, fraction = match.groups()
    if (hours or minutes) and int(seconds) > 59:
        raise ValueError(f"{text!r} is not a time: write HH:MM:SS or HH:MM:SS.mmm")
    total = int(hours or 0) * 3600 + int(minutes or 0) * 60 + int(seconds)
    millis = int(fraction.ljust(3, "0")) if fraction else 0
    value = (total * 1000 + millis) / 1000  # via whole milliseconds: 1.586, not 1.58599…
    if value > MAX_SECONDS:
        raise ValueError(f"{text!r} is over {MAX_HOURS:,} hours: check this time")
    return value


def checked_seconds(seconds: float) -> float:
    """``seconds`` when podkit can use it as a time: a finite number from 0 to MAX_HOURS.
    A ValueError says what is wrong otherwise (JSON and float() accept NaN and Infinity).

    >>> checked_seconds(754.5)
    754.5
    >>> checked_seconds(float("nan"))
    Traceback (most recent call last):
    ...
    ValueError: nan is not a number of seconds: write a time like 754.5
    >>> checked_seconds(1e308)
    Traceback (most recent call last):
    ...
    ValueError: 1e+308 seconds is over 1,000 hours: check this time
    """
    if not -math.inf < seconds < math.inf:  # NaN fails every comparison
        raise ValueError(f"{seconds} is not a number of seconds: write a time like 754.5")
    if seconds < 0:
        raise ValueError(f"{_shown(seconds)} is negative: times count from 0 at the start")
    if seconds > MAX_SECONDS:
        raise ValueError(f"{_shown(seconds)} is over {MAX_HOURS:,} hours: check this time")
    return float(seconds)


def _shown(seconds: float) -> str:
    # JSON integers have no bound, and :g would turn one over 1e308 into an OverflowError.
    if isinstance(seconds, int) and abs(seconds) >= 10**15:
        return f"a {len(str(abs(seconds)))}-digit number of seconds"
    return f"{seconds:g} seconds"


def format_timestamp(seconds: float, separator: str = ".") -> str:
    """``HH:MM:SS.mmm`` (``separator=","`` gives SRT's form).

    >>> format_timestamp(3723.5)
    '01:02:03.500'
    >>> format_timestamp(7.25, ",")
    '00:00:07,250'
    """
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    # %-formatting is a third faster than an f-string with format specs here.
    return "%02d:%02d:%02d%s%03d" % (hours, minutes, secs, separator, millis)  # noqa: UP031


def format_clock(seconds: float, always_hours: bool = False) -> str:
    """Whole-second time for people and for description timestamps.

    >>> format_clock(754.9)
    '12:34'
    >>> format_clock(3723)
    '1:02:03'
    >>> format_clock(5, always_hours=True)
    '00:00:05'
    """
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if always_hours:
        return f"{hours:02d}:{minutes:02d}:{secs:02d}"
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"
