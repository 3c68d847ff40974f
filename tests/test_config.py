"""The loader: a valid show, and a corpus of broken inputs with their exact messages."""

from __future__ import annotations

import io
import shutil
import uuid
import wave
from pathlib import Path

import pytest
from conftest import EPISODE_TOML, SHOW_TOML, TONE, TRANSCRIPT, ShowMaker
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from toolkit.config import load_show, podcast_guid
from toolkit.errors import Problems, ToolkitError
from toolkit.tomlcheck import load_toml


def problems(source: Path) -> list[str]:
    """The loader's problem lines, with paths relative to the show's parent folder."""
    with pytest.raises(ToolkitError) as caught:
        load_show(source)
    return [str(p).replace(f"{source.parent}/", "") for p in caught.value.problems]


def test_valid_show_loads_everything(make_show: ShowMaker) -> None:
    show, warnings = load_show(make_show())
    assert warnings == []
    assert (show.title, show.language, show.base_url) == (
        "Test Show",
        "fr",
        "https://example.org/show/",
    )
    assert show.podcast_guid == podcast_guid("https://example.org/show/feed.xml")
    assert [c.name for c in show.categories] == ["Technology"]
    (episode,) = show.episodes
    assert episode.slug == "001-premier"
    assert episode.published.utcoffset() is not None
    assert [c.start for c in episode.chapters] == [0.0, 20.5, 45.0]
    assert episode.chapters[1].url == "https://example.org/sujet"
    assert abs(episode.audio_info.duration - 60.0) < 0.1
    assert episode.transcript is not None and episode.transcript.speakers == (
        "Hôte Un",
        "Invitée Deux",
    )
    assert episode.summary == "Un épisode de test."
    assert [(p.name, p.role) for p in episode.persons] == [
        ("Hôte Un", "host"),
        ("Invitée Deux", "guest"),
    ]


def test_podcast_guid_follows_the_spec() -> None:
    # The example from the Podcasting 2.0 namespace documentation.
    assert (
        podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml")
        == "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    )
    assert podcast_guid("http://mp3s.nashownotes.com/pc20rss.xml/") == podcast_guid(
        "mp3s.nashownotes.com/pc20rss.xml"
    )


@given(st.text(st.characters(blacklist_categories=["Cs"])))
def test_podcast_guid_is_uuid5_of_the_feed_url_in_the_namespace(path: str) -> None:
    # podkit writes the UUIDv5 out (not to import the uuid module): the same as uuid5's.
    namespace = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
    expected = uuid.uuid5(namespace, path.rstrip("/"))
    assert podcast_guid("https://" + path) == str(expected)


@pytest.mark.parametrize("line", ["", 'timezone = ""\n'])
def test_a_show_without_a_time_zone_is_in_utc(make_show: ShowMaker, line: str) -> None:
    toml = SHOW_TOML.replace('timezone = "Europe/Paris"\n', line)
    show, _ = load_show(make_show(**{"show.toml": toml}))
    assert show.timezone == "UTC"


def test_a_show_guid_that_is_no_uuid_is_refused(make_show: ShowMaker) -> None:
    toml = SHOW_TOML.replace('guid = "0495cb90-b9d0-50ba-b94b-a40da5f73898"', 'guid = "nope"')
    assert problems(make_show(**{"show.toml": toml})) == [
        "episodes/show.toml: guid: must be a UUID; leave it out to derive it from the feed URL"
    ]


def test_a_show_guid_is_written_as_a_uuid(make_show: ShowMaker) -> None:
    given_guid = "{0495CB90B9D050BAB94BA40DA5F73898}"
    toml = SHOW_TOML.replace('"0495cb90-b9d0-50ba-b94b-a40da5f73898"', f'"{given_guid}"')
    show, _ = load_show(make_show(**{"show.toml": toml}))
    assert show.podcast_guid == "0495cb90-b9d0-50ba-b94b-a40da5f73898"


def _jpeg(size: tuple[int, int], fmt: str = "JPEG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, fmt)
    return out.getvalue()


def _wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(8000)
        writer.writeframes(b"\0\0" * 8000)
    return out.getvalue()


EP = "001-premier/episode.toml"

BROKEN: list[tuple[str, dict[str, str | bytes | None], list[str]]] = [
    (
        "missing show title",
        {"show.toml": SHOW_TOML.replace('title = "Test Show"\n', "")},
        ['episodes/show.toml: title: missing: add title = "…"'],
    ),
    (
        "TOML syntax error names the line",
        {"show.toml": SHOW_TOML.replace('author = "Test Author"', "author Test Author")},
        [
            "episodes/show.toml:5: invalid TOML: Expected '=' after a key in a key/value pair:"
            ' write key = value (a text in quotes: key = "…")'
        ],
    ),
    (
        "language is not a code",
        {"show.toml": SHOW_TOML.replace('language = "fr"', 'language = "French"')},
        ["episodes/show.toml: language: 'French' is not a language code: use e.g. fr or en-US"],
    ),
    (
        "base URL is not absolute",
        {"show.toml": SHOW_TOML.replace("https://example.org/show/", "example.org/show")},
        [
            "episodes/show.toml: base_url: 'example.org/show' is not an absolute http(s) URL: write https://…"
        ],
    ),
    (
        "category not in Apple's list",
        {"show.toml": SHOW_TOML.replace('name = "Technology"', 'name = "Technologie"')},
        [
            "episodes/show.toml: categories[0].name: 'Technologie' is not an Apple Podcasts category: did you mean 'Technology'?"
        ],
    ),
    (
        "subcategory of another category",
        {
            "show.toml": SHOW_TOML.replace(
                'name = "Technology"', 'name = "Business"\nsubcategory = "Tech News"'
            )
        },
        [
            "episodes/show.toml: categories[0].subcategory: 'Tech News' is not a subcategory of Business: use one of Careers, Entrepreneurship, Investing, Management, Marketing, Non-Profit"
        ],
    ),
    (
        "owner email",
        {"show.toml": SHOW_TOML.replace("owner@example.org", "owner at example")},
        [
            "episodes/show.toml: owner.email: 'owner at example' is not an email address: write name@example.org"
        ],
    ),
    (
        "explicit as a string",
        {"show.toml": SHOW_TOML.replace("explicit = false", 'explicit = "no"')},
        ["episodes/show.toml: explicit: must be true or false (without quotes)"],
    ),
    (
        "show type not allowed",
        {"show.toml": SHOW_TOML.replace('type = "episodic"', 'type = "weekly"')},
        ["episodes/show.toml: type: 'weekly' is not allowed: use one of episodic, serial"],
    ),
    (
        "unknown time zone",
        {"show.toml": SHOW_TOML.replace("Europe/Paris", "Paris")},
        ["episodes/show.toml: timezone: 'Paris' is not a time zone: use e.g. Europe/Paris"],
    ),
    (
        "cover too small",
        {"cover.jpg": _jpeg((500, 500))},
        [
            "episodes/show.toml: cover: is 500x500 pixels: cover art must be 1400 to 3000 pixels wide"
        ],
    ),
    (
        "cover not square",
        {"cover.jpg": _jpeg((1400, 1500))},
        ["episodes/show.toml: cover: is 1400x1500 pixels: cover art must be square"],
    ),
    (
        "cover PNG named .jpg",
        {"cover.jpg": _jpeg((1400, 1400), "PNG")},
        ["episodes/show.toml: cover: is a PNG image but its name ends in '.jpg': rename it .png"],
    ),
    (
        "publish date without time zone",
        {EP: EPISODE_TOML.replace("2024-01-15T08:00:00+01:00", "2024-01-15T08:00:00")},
        [
            "episodes/001-premier/episode.toml: published: has no time zone: add the UTC offset, e.g. …T07:00:00+02:00"
        ],
    ),
    (
        "publish date without time",
        {EP: EPISODE_TOML.replace("2024-01-15T08:00:00+01:00", "2024-01-15")},
        [
            "episodes/001-premier/episode.toml: published: has no time: write 2024-06-13T07:00:00+02:00"
        ],
    ),
    (
        "episode number zero",
        {EP: EPISODE_TOML.replace("number = 1", "number = 0")},
        [
            "episodes/001-premier/episode.toml: number: must be a whole number of at least 1, like number = 1"
        ],
    ),
    (
        "episode type not allowed",
        {EP: EPISODE_TOML.replace('type = "full"', 'type = "special"')},
        [
            "episodes/001-premier/episode.toml: type: 'special' is not allowed: use one of full, trailer, bonus"
        ],
    ),
    (
        "chapters out of order",
        {EP: EPISODE_TOML.replace('start = "00:00:45"', 'start = "00:00:10"')},
        [
            "episodes/001-premier/episode.toml: chapters[2].start: 00:00:10.000 is not after the previous chapter (00:00:20.500): chapters must be in order, without repeats"
        ],
    ),
    (
        "chapter past the end of the audio",
        {EP: EPISODE_TOML.replace('start = "00:00:45"', 'start = "00:01:30"')},
        [
            "episodes/001-premier/episode.toml: chapters[2].start: 00:01:30.000 is past the end of the audio (00:01:00.000): move it before the end, or remove the chapter"
        ],
    ),
    (
        "first chapter not at zero",
        {EP: EPISODE_TOML.replace('start = "00:00:00"', 'start = "00:00:05"')},
        [
            'episodes/001-premier/episode.toml: chapters[0].start: the first chapter must start at "00:00:00"'
        ],
    ),
    (
        "chapter time malformed",
        {EP: EPISODE_TOML.replace('start = "00:00:45"', 'start = "1:75"')},
        [
            "episodes/001-premier/episode.toml: chapters[2].start: '1:75' is not a time: write HH:MM:SS or HH:MM:SS.mmm"
        ],
    ),
    (
        "chapter image that is not JPEG or PNG",
        {
            EP: EPISODE_TOML.replace(
                'title = "Conclusion"', 'title = "Conclusion"\nimage = "fin.gif"'
            ),
            "001-premier/fin.gif": b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
        },
        [
            "episodes/001-premier/episode.toml: chapters[2].image: fin.gif is not a JPEG or PNG image"
        ],
    ),
    (
        "chapter URL that is not a URL",
        {EP: EPISODE_TOML.replace("https://example.org/sujet", "example/sujet")},
        [
            "episodes/001-premier/episode.toml: chapters[1].url: 'example/sujet' is not an absolute http(s) URL: write https://…"
        ],
    ),
    (
        "audio file missing",
        {"001-premier/episode.mp3": None},
        [
            "episodes/001-premier/episode.toml: audio: file 'episode.mp3' not found next to episode.toml: check its name"
        ],
    ),
    (
        "cover missing in a folder of the show",
        {"show.toml": SHOW_TOML.replace('cover = "cover.jpg"', 'cover = "art/cover.png"')},
        [
            "episodes/show.toml: cover: file 'art/cover.png' not found from show.toml's folder: check its name"
        ],
    ),
    (
        "audio is a WAV renamed .mp3",
        {"001-premier/episode.mp3": _wav()},
        [
            "episodes/001-premier/episode.toml: audio: episode.mp3 is a WAV file, not an MP3: encode it as MP3 (e.g. lame -V5 in.wav)"
        ],
    ),
    (
        "audio is text renamed .mp3",
        {"001-premier/episode.mp3": "not audio at all\n" * 50},
        [
            "episodes/001-premier/episode.toml: audio: episode.mp3 is not MPEG audio: no MP3 frame found; export the episode as MP3"
        ],
    ),
    (
        "audio truncated",
        {"001-premier/episode.mp3": TONE.read_bytes()[:30000]},
        [
            "episodes/001-premier/episode.toml: audio: episode.mp3 is truncated: its header announces 60840 bytes of audio but only 30000 are there; copy or export the file again"
        ],
    ),
    (
        "transcript times out of order",
        {"001-premier/transcript.txt": TRANSCRIPT.replace("[00:00:08.000]", "[00:00:01.000]")},
        [
            "episodes/001-premier/transcript.txt:5: starts at 00:00:01.000, before the previous segment (00:00:03.250): put the times in order"
        ],
    ),
    (
        "transcript not UTF-8",
        {"001-premier/transcript.txt": TRANSCRIPT.replace("cœur", "coeur").encode("latin-1")},
        ["episodes/001-premier/transcript.txt:1: is not UTF-8 (byte 0xf4): save the file as UTF-8"],
    ),
    (
        "transcript past the end of the audio",
        {"001-premier/transcript.txt": TRANSCRIPT.replace("[00:00:45.000]", "[00:02:00.000]")},
        [
            "episodes/001-premier/transcript.txt: segment 5: at 00:02:00.000 is past the end of the audio (00:01:00.000): fix its time"
        ],
    ),
    (
        "episode folder name unusable in URLs",
        {"Episode Deux/episode.toml": EPISODE_TOML},
        [
            "episodes/Episode Deux: folder name is used in URLs: use lowercase letters, digits and dashes, e.g. rename it 'episode-deux'"
        ],
    ),
]


@pytest.mark.parametrize(("case", "files", "expected"), BROKEN, ids=[c[0] for c in BROKEN])
def test_broken_input_gives_exact_message(
    make_show: ShowMaker, case: str, files: dict[str, str | bytes | None], expected: list[str]
) -> None:
    assert problems(make_show(**files)) == expected


def test_two_episodes_with_one_guid(make_show: ShowMaker) -> None:
    source = make_show()
    shutil.copytree(source / "001-premier", source / "002-second")
    assert problems(source) == [
        "episodes/002-second/episode.toml: guid: is also the GUID of 001-premier: every episode "
        "needs its own (`python -c 'import uuid; print(uuid.uuid4())'` makes one)",
        "warning: episodes/002-second/episode.toml: number: episode 1 is also 001-premier's "
        "number in this season",
    ]


def test_every_problem_of_every_file_at_once(make_show: ShowMaker) -> None:
    source = make_show(
        **{
            "show.toml": SHOW_TOML.replace('language = "fr"', 'language = "French"').replace(
                'name = "Technology"', 'name = "Tech"'
            ),
            EP: EPISODE_TOML.replace("number = 1", "number = -2").replace(
                'start = "00:00:45"', 'start = "00:00:10"'
            ),
        }
    )
    lines = problems(source)
    assert len(lines) == 4
    assert [line.split(": ")[0:2] for line in lines] == [
        ["episodes/show.toml", "language"],
        ["episodes/show.toml", "categories[0].name"],
        ["episodes/001-premier/episode.toml", "number"],
        ["episodes/001-premier/episode.toml", "chapters[2].start"],
    ]


def test_unknown_keys_are_warned_about_with_a_suggestion(make_show: ShowMaker) -> None:
    source = make_show(**{EP: EPISODE_TOML.replace("explicit = false", "explict = false")})
    _, warnings = load_show(source)
    assert [str(w).replace(f"{source.parent}/", "") for w in warnings] == [
        "warning: episodes/001-premier/episode.toml: explict: unknown key: did you mean 'explicit'?"
    ]


def test_folder_without_episode_toml_is_skipped_with_a_warning(make_show: ShowMaker) -> None:
    source = make_show(**{"drafts/idea.md": "later"})
    show, warnings = load_show(source)
    assert len(show.episodes) == 1
    assert [str(w).replace(f"{source.parent}/", "") for w in warnings] == [
        "warning: episodes/drafts: no episode.toml: not an episode folder, skipped"
    ]


def test_missing_source_folder(tmp_path: Path) -> None:
    with pytest.raises(ToolkitError) as caught:
        load_show(tmp_path / "nowhere")
    assert str(caught.value.problems[0]).endswith(
        "nowhere: folder not found: pass --source with your show's folder"
    )


@pytest.mark.parametrize(
    ("text", "line", "fix"),
    [
        ('title = "Un titre\n', 1, 'a text is not closed on its line: end it with its quote ("…")'),
        (
            "explicit = fals\n",
            1,
            'put a text in quotes ("…"); true, false, numbers and dates go without',
        ),
        ('title = "a"\ntitle = "b"\n', 2, "a key is set twice: keep one"),
        ("[owner\n", 1, "close the table's name with ]"),
        ('title "x"\n', 1, 'write key = value (a text in quotes: key = "…")'),
        ("a = [1, 2\n", None, "close the list with ]"),
        ("a = 1 b = 2\n", 1, "one key = value per line (a text in quotes)"),
        ('a = "C:\\dossier"\n', 1, "write a backslash as \\\\, or use single quotes ('…')"),
        ("[a]\n[a]\n", 2, "a table is declared twice: keep one [table] line"),
    ],
)
def test_a_toml_syntax_error_says_what_to_do(
    tmp_path: Path, text: str, line: int | None, fix: str
) -> None:
    # tomllib's own words say what it found; podkit adds how to fix the common mistakes.
    path = tmp_path / "show.toml"
    path.write_text(text, encoding="utf-8")
    problems = Problems()
    assert load_toml(path, problems) is None
    (problem,) = problems.errors
    assert problem.where == line and problem.message.startswith("invalid TOML: ")
    assert problem.message.endswith(f": {fix}")
