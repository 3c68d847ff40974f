"""The in-memory show: frozen values that every stage reads and none changes.

Value classes (`value`) behave as frozen dataclasses but are made without the `dataclasses`
module: importing it also imports `inspect`, `ast`, `dis` and `tokenize`, a tenth of what
`podkit tag` costs. `dataclasses` still sees them as its own (`fields`, `replace`,
`is_dataclass`, `asdict`): their ``__dataclass_fields__`` are made by `dataclass` itself when
first asked for."""

from __future__ import annotations

import reprlib
import sys
from _thread import RLock  # not `threading`, which a re-tag does not otherwise import
from collections.abc import Callable
from datetime import datetime
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar, dataclass_transform

from toolkit import paths

EpisodeType = Literal["full", "trailer", "bonus"]
ShowType = Literal["episodic", "serial"]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()  # no default given


class Field:
    """One field of a value class: its name, its annotation (as written) and its default or
    default factory (`MISSING` when it has none)."""

    __slots__ = ("default", "default_factory", "name", "type")

    def __init__(self, default: Any = MISSING, default_factory: Any = MISSING) -> None:
        if default is not MISSING and default_factory is not MISSING:
            raise ValueError("cannot specify both default and default_factory")
        self.name, self.type = "", ""
        self.default, self.default_factory = default, default_factory

    @property
    def required(self) -> bool:
        return self.default is MISSING and self.default_factory is MISSING


def field(*, default: Any = MISSING, default_factory: Callable[[], Any] = MISSING) -> Any:
    """A field's default or default factory, as `dataclasses.field` gives them."""
    return Field(default, default_factory)


def _frozen_error(message: str) -> Exception:
    from dataclasses import FrozenInstanceError  # only when a value is wrongly changed

    return FrozenInstanceError(message)


class FrozenValue:
    """The equality, hash, repr and frozenness of the values made with `value` (below, and in
    other modules), written once: what `dataclass(frozen=True)` generates for each class (its
    fields in order; its qualified name and fields in the repr; no field assigned or deleted
    after `__init__`) without compiling a copy of each for every class."""

    __slots__ = ()

    if not TYPE_CHECKING:  # mypy knows the classes frozen from `value`

        def __setattr__(self, name: str, value: object) -> None:
            raise _frozen_error(f"cannot assign to field {name!r}")

        def __delattr__(self, name: str) -> None:
            raise _frozen_error(f"cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            compared = _compared(self.__class__)
            return compared(self) == compared(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(_compared(self.__class__)(self))

    @reprlib.recursive_repr()
    def __repr__(self) -> str:
        shown = (f"{name}={getattr(self, name)!r}" for name in _names(self.__class__))
        return f"{self.__class__.__qualname__}({', '.join(shown)})"


_COMPARED: dict[type, Callable[[object], tuple[object, ...]]] = {}


def _compared(cls: type) -> Callable[[object], tuple[object, ...]]:
    """What a dataclass's generated ``__eq__`` and ``__hash__`` compare, as one tuple."""
    if cls not in _COMPARED:
        names = _names(cls)
        if len(names) == 1:  # attrgetter of one name gives the value, not a tuple
            one = attrgetter(names[0])
            _COMPARED[cls] = lambda value: (one(value),)
        else:
            _COMPARED[cls] = attrgetter(*names) if names else lambda value: ()
    return _COMPARED[cls]


def is_value_class(obj: object) -> bool:
    """Whether ``obj`` is a class made with `value` (asked without making its dataclass
    fields, as `dataclasses.is_dataclass` would)."""
    return isinstance(obj, type) and "__value_fields__" in obj.__dict__


def value_fields(cls: type) -> tuple[Field, ...]:
    """A value class's fields, in order: a subclass not made with `value` has its base's."""
    found: tuple[Field, ...] = cls.__value_fields__  # type: ignore[attr-defined]
    return found


def _names(cls: type) -> tuple[str, ...]:
    return cls.__match_args__  # type: ignore[attr-defined, no-any-return]


_V = TypeVar("_V", bound=FrozenValue)


if TYPE_CHECKING:  # mypy checks the changes given to `dataclasses.replace` only
    from dataclasses import replace as replace
else:

    def replace(obj: _V, /, **changes: Any) -> _V:
        """A copy of the value ``obj`` with these fields changed, as `dataclasses.replace`
        makes it."""
        given = {name: getattr(obj, name) for name in _names(obj.__class__)}
        given.update(changes)
        return obj.__class__(**given)


@dataclass_transform(frozen_default=True, eq_default=False, field_specifiers=(field,))
def value(cls: type[_V]) -> type[_V]:
    """A class of frozen values with the fields its annotations name, like
    `@dataclass(frozen=True)`, whose methods are `FrozenValue`'s, and whose ``__init__`` is
    compiled only when first needed."""
    made = _value_fields(cls)
    names = tuple(f.name for f in made)
    for name, attribute in (
        ("__value_fields__", made),
        ("__match_args__", names),
        ("__init__", _Init(cls)),
        ("__dataclass_fields__", _AsDataclass(cls, "__dataclass_fields__")),
        ("__dataclass_params__", _AsDataclass(cls, "__dataclass_params__")),
    ):
        type.__setattr__(cls, name, attribute)
    if not cls.__doc__:  # as `dataclass` gives one
        cls.__doc__ = cls.__name__
    return cls


def _value_fields(cls: type) -> tuple[Field, ...]:
    """The fields `dataclass` would find: those of the value classes it derives from, then its
    own annotations in order, each with the default its class body gives; a default stays a
    class attribute, a default factory does not. The same errors as `dataclass` for a field
    without a default after one with, and for a mutable default."""
    fields: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        fields.update((f.name, f) for f in base.__dict__.get("__value_fields__", ()))
    for name, annotation in _own_annotations(cls).items():
        written = str(annotation)
        if "ClassVar" in written or "InitVar" in written:
            raise TypeError(f"{cls.__qualname__}.{name}: a value class takes only fields")
        given = cls.__dict__.get(name, MISSING)
        made = given if isinstance(given, Field) else Field(default=given)
        if made.default is MISSING:
            if name in cls.__dict__:
                type.__delattr__(cls, name)
        else:
            if made.default.__class__.__hash__ is None:
                raise ValueError(
                    f"mutable default {type(made.default)} for field {name} is not allowed:"
                    " use default_factory"
                )
            type.__setattr__(cls, name, made.default)
        made.name, made.type = name, annotation
        fields[name] = made
    with_default = False
    for made in fields.values():
        if made.required and with_default:
            raise TypeError(f"non-default argument {made.name!r} follows default argument")
        with_default = with_default or not made.required
    return tuple(fields.values())


def _own_annotations(cls: type) -> dict[str, Any]:
    # What `dataclass` reads; `inspect.get_annotations` would import inspect.
    return cls.__dict__.get("__annotations__", {})  # type: ignore[no-any-return]  # noqa: RUF063


class _AsDataclass:
    """A value class's ``__dataclass_fields__`` or ``__dataclass_params__`` until asked for:
    then `dataclass` makes both from the class, as it would have at its definition (frozen,
    so that a frozen dataclass may derive from it). The class is the one made with `value`,
    not the subclass (if any) it is asked through."""

    def __init__(self, cls: type, name: str) -> None:
        self.cls, self.name = cls, name

    def __get__(self, instance: object, owner: type) -> Any:
        with _MAKING_DATACLASS:  # another thread may be making it: it finds this until done
            if isinstance(self.cls.__dict__[self.name], _AsDataclass):
                self._make_dataclass()
        return self.cls.__dict__[self.name]

    def _make_dataclass(self) -> None:
        """`dataclass` sets both attributes in place of this and its twin."""
        from dataclasses import dataclass
        from dataclasses import field as dataclass_field

        cls = self.cls
        for made in value_fields(cls):
            if made.default_factory is not MISSING and made.name in _own_annotations(cls):
                factory = dataclass_field(default_factory=made.default_factory)
                type.__setattr__(cls, made.name, factory)
        dataclass(init=False, eq=False, repr=False, frozen=True)(cls)


# Reentrant: making a value class a dataclass makes the value classes it derives from first.
_MAKING_DATACLASS = RLock()


class _Init:
    """A value class's ``__init__`` until it is first looked up (to make an instance, or
    read its signature): then the ``__init__`` that `dataclass(frozen=True)` would write,
    compiled and put in its place."""

    def __init__(self, cls: type) -> None:
        self.cls = cls

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        init = _compiled_init(self.cls)
        type.__setattr__(self.cls, "__init__", init)
        return init if instance is None else init.__get__(instance, owner)


class _Factory:
    """The default of a parameter whose field has a default factory, shown as `dataclass`
    shows its own."""

    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _Factory()


def _compiled_init(cls: type) -> Callable[..., None]:
    """The ``__init__`` of a frozen dataclass: each field set with `object.__setattr__`,
    defaults and default factories as `dataclass` applies them, then its ``__post_init__``."""
    names = {"_set": object.__setattr__, "_FACTORY": _FACTORY}
    parameters, lines = [], []
    for f in value_fields(cls):
        given = f.name
        if f.default_factory is not MISSING:
            names[f"_factory_{f.name}"] = f.default_factory
            given = f"_factory_{f.name}() if {f.name} is _FACTORY else {f.name}"
            parameters.append(f"{f.name}=_FACTORY")
        elif f.default is not MISSING:
            names[f"_default_{f.name}"] = f.default
            parameters.append(f"{f.name}=_default_{f.name}")
        else:
            parameters.append(f.name)
        lines.append(f"  _set(self, {f.name!r}, {given})")
    if hasattr(cls, "__post_init__"):
        lines.append("  self.__post_init__()")
    source = (
        f"def _make({', '.join(names)}):\n"
        f" def __init__(self, {', '.join(parameters)}):\n"
        + "\n".join(lines or ["  pass"])
        + "\n return __init__"
    )
    made: dict[str, Any] = {}
    exec(source, vars(sys.modules[cls.__module__]), made)  # globals: annotations resolve there
    init: Callable[..., None] = made["_make"](**names)
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__annotations__ = {f.name: f.type for f in value_fields(cls)} | {"return": None}
    return init


@value
class Person(FrozenValue):
    name: str
    role: str = "host"  # Podcasting 2.0 taxonomy role, e.g. host, guest
    group: str = "cast"
    href: str | None = None
    img: str | None = None


@value
class Chapter(FrozenValue):
    start: float  # seconds from the start of the audio
    title: str
    url: str | None = None
    image: Path | None = None
    hidden: bool = False  # kept in the file, left out of tables of contents
    image_url: str | None = None  # art on another host: published as-is, never fetched
    location: Location | None = None  # the place the chapter is about


@value
class Category(FrozenValue):
    name: str
    subcategory: str | None = None


@value
class Funding(FrozenValue):
    url: str
    text: str


@value
class Link(FrozenValue):
    """A subscribe link on the home page (Apple Podcasts, Spotify, …)."""

    name: str
    url: str


@value
class Segment(FrozenValue):
    speaker: str
    text: str
    start: float | None = None
    end: float | None = None


@value
class Transcript(FrozenValue):
    segments: tuple[Segment, ...]

    @property
    def speakers(self) -> tuple[str, ...]:
        """Named speakers in order of first appearance."""
        return tuple(dict.fromkeys(s.speaker for s in self.segments if s.speaker))

    @property
    def timed(self) -> bool:
        return bool(self.segments) and all(s.start is not None for s in self.segments)


@value
class AudioInfo(FrozenValue):
    duration: float  # seconds, from the LAME/Xing header when there is one
    size: int  # bytes of the source file
    bitrate: int  # bits per second
    sample_rate: int
    channels: int


@value
class LinkedAudio(FrozenValue):
    """Audio left on another host (a show imported with its enclosures linked): the site
    holds no copy, so episode.toml gives what the build cannot measure."""

    url: str
    type: str = "audio/mpeg"


@value
class License(FrozenValue):
    """podcast:license: an SPDX identifier, or a name with the URL of its text."""

    name: str
    url: str | None = None


@value
class Location(FrozenValue):
    name: str
    rel: str | None = None  # "subject" (what it is about) or "creator" (where it was made)
    geo: str | None = None  # geo URI, e.g. geo:48.78,2.36
    osm: str | None = None  # OpenStreetMap type and id, e.g. R7444
    country: str | None = None  # ISO 3166-1 alpha-2


@value
class Soundbite(FrozenValue):
    start: float  # seconds
    duration: float
    title: str | None = None


@value
class Txt(FrozenValue):
    text: str
    purpose: str | None = None


@value
class RemoteItem(FrozenValue):
    """A show recommended in podcast:podroll."""

    feed_guid: str
    feed_url: str | None = None
    medium: str | None = None


@value
class UpdateFrequency(FrozenValue):
    text: str
    rrule: str | None = None
    complete: bool = False
    dtstart: datetime | None = None


@value
class SocialInteract(FrozenValue):
    protocol: str
    uri: str | None = None
    account_id: str | None = None
    account_url: str | None = None
    priority: int | None = None


@value
class ValueRecipient(FrozenValue):
    name: str
    address: str
    split: int
    type: str = "node"
    custom_key: str | None = None
    custom_value: str | None = None
    fee: bool = False


@value
class Value(FrozenValue):
    recipients: tuple[ValueRecipient, ...]
    type: str = "lightning"
    method: str = "keysend"
    suggested: str | None = None


@value
class AlternateEnclosure(FrozenValue):
    """Another version of the episode's audio that the podcaster provides (Opus, AAC…)."""

    file: Path
    type: str  # MIME type, from the file's contents
    length: int  # bytes
    title: str | None = None
    default: bool = False
    integrity: str | None = None  # Subresource Integrity digest, e.g. sha384-…


@value
class Notify(FrozenValue):
    """Where `podkit notify` announces a new feed: a WebSub hub, the Podcast Index."""

    hub: str | None = None
    podcast_index: str | None = "https://api.podcastindex.org/api/1.0/hub/pubnotify"


@value
class ShowExtras(FrozenValue):
    """Show-level Podcasting 2.0 and Apple tags beyond the basics."""

    license: License | None = None
    location: Location | None = None
    txt: tuple[Txt, ...] = ()
    podroll: tuple[RemoteItem, ...] = ()
    update_frequency: UpdateFrequency | None = None
    block: tuple[str, ...] = ()  # services ("apple", "spotify"…), or ("all",)
    value: Value | None = None
    new_feed_url: str | None = None
    complete: bool = False
    analytics_prefix: str | None = None
    notify: Notify = field(default_factory=Notify)


@value
class EpisodeExtras(FrozenValue):
    """Episode-level Podcasting 2.0 and Apple tags beyond the basics."""

    soundbites: tuple[Soundbite, ...] = ()
    license: License | None = None
    location: Location | None = None
    season_name: str | None = None
    episode_display: str | None = None
    decimal_number: str | None = None  # a number like 2.5, for podcast:episode only
    alternate_enclosures: tuple[AlternateEnclosure, ...] = ()
    txt: tuple[Txt, ...] = ()
    social_interact: tuple[SocialInteract, ...] = ()
    value: Value | None = None
    block: bool = False


@value
class Episode(FrozenValue):
    slug: str
    directory: Path
    title: str
    number: int | None
    season: int | None
    episode_type: EpisodeType
    published: datetime  # always timezone-aware
    guid: str
    explicit: bool
    audio: Path | None  # None when the audio is linked: on another host, never copied
    audio_info: AudioInfo
    summary: str
    notes_html: str  # the show notes, rendered once by the loader
    notes_text: str  # the same without Markdown marks (the feed's description)
    cover: Path | None = None
    persons: tuple[Person, ...] = ()
    chapters: tuple[Chapter, ...] = ()
    transcript: Transcript | None = None  # None when it has none, or was loaded without it
    extras: EpisodeExtras = field(default_factory=EpisodeExtras)
    linked: LinkedAudio | None = None

    @property
    def audio_type(self) -> str:
        """The audio's MIME type: podkit publishes MP3s; a linked file may be another."""
        return self.linked.type if self.linked else "audio/mpeg"

    @property
    def visible_chapters(self) -> tuple[Chapter, ...]:
        return tuple(c for c in self.chapters if not c.hidden)

    def chapter_end(self, index: int) -> float:
        """Each chapter ends where the next one starts; the last at the audio's end."""
        if index + 1 < len(self.chapters):
            return self.chapters[index + 1].start
        return self.audio_info.duration


@value
class Show(FrozenValue):
    directory: Path
    title: str
    description: str
    language: str
    base_url: str  # always ends with "/"
    author: str
    owner_name: str
    owner_email: str
    cover: Path
    categories: tuple[Category, ...]
    explicit: bool
    show_type: ShowType
    copyright: str
    podcast_guid: str
    locked: bool
    medium: str
    timezone: str
    persons: tuple[Person, ...] = ()
    funding: tuple[Funding, ...] = ()
    links: tuple[Link, ...] = ()
    extras: ShowExtras = field(default_factory=ShowExtras)
    episodes: tuple[Episode, ...] = field(default=())

    @property
    def feed_url(self) -> str:
        return paths.url(self, paths.FEED)

    def episode_url(self, episode: Episode) -> str:
        return paths.url(self, paths.episode_page(episode))


@value
class Enclosure(FrozenValue):
    """The file an episode's feed item names: its URL and its length in bytes."""

    url: str
    length: int  # bytes of the tagged MP3 that the site serves (or of the linked file)


def published_only(show: Show, now: datetime, drafts: bool) -> Show:
    """Leave out episodes dated after ``now`` unless drafts are wanted."""
    if drafts:
        return show
    return replace(show, episodes=tuple(e for e in show.episodes if e.published <= now))
