"""Interface words and dates in the show's language (French first, English as fallback)."""

from __future__ import annotations

from datetime import date

WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "chapters": "Chapitres",
        "transcript": "Transcription",
        "notes": "Notes de l'épisode",
        "episode": "Épisode",
        "episodes": "Épisodes",
        "season": "Saison",
        "downloads": "Téléchargements",
        "audio": "Audio (MP3)",
        "subscribe": "S'abonner",
        "rss": "Flux RSS",
        "host": "Animation",
        "guest": "Invité",
        "skip": "Aller au contenu",
        "play_from": "Écouter à partir de",
        "link_to": "Lien vers",
        "follow": "Suivre la lecture",
        "not_found": "Page introuvable",
        "not_found_text": "Cette page n'existe pas ou plus.",
        "home": "Accueil",
        "duration": "Durée",
        "published": "Publié le",
        "listen": "Écouter",
        "no_audio": "Votre navigateur ne lit pas l'audio : téléchargez le fichier MP3.",
        "chapters_json": "Chapitres (JSON)",
        "trailer": "Bande-annonce",
        "bonus": "Bonus",
    },
    "en": {
        "chapters": "Chapters",
        "transcript": "Transcript",
        "notes": "Show notes",
        "episode": "Episode",
        "episodes": "Episodes",
        "season": "Season",
        "downloads": "Downloads",
        "audio": "Audio (MP3)",
        "subscribe": "Subscribe",
        "rss": "RSS feed",
        "host": "Host",
        "guest": "Guest",
        "skip": "Skip to content",
        "play_from": "Play from",
        "link_to": "Link to",
        "follow": "Follow playback",
        "not_found": "Page not found",
        "not_found_text": "This page does not exist, or no longer does.",
        "home": "Home",
        "duration": "Duration",
        "published": "Published",
        "listen": "Listen",
        "no_audio": "Your browser cannot play audio: download the MP3 file.",
        "chapters_json": "Chapters (JSON)",
        "trailer": "Trailer",
        "bonus": "Bonus",
    },
}

_FRENCH_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
_ENGLISH_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# ISO 639-1 -> ISO 639-2/T, for ID3's language fields.
ISO_639_2 = {
    "fr": "fra",
    "en": "eng",
    "de": "deu",
    "es": "spa",
    "it": "ita",
    "pt": "por",
    "nl": "nld",
    "ja": "jpn",
    "zh": "zho",
    "ar": "ara",
    "ru": "rus",
}


def words(language: str) -> dict[str, str]:
    return WORDS.get(language.split("-")[0].lower(), WORDS["en"])


def long_date(day: date, language: str) -> str:
    """
    >>> long_date(date(2021, 5, 1), "fr")
    '1er mai 2021'
    >>> long_date(date(2024, 10, 8), "en-US")
    'October 8, 2024'
    """
    if language.startswith("fr"):
        number = "1er" if day.day == 1 else str(day.day)
        return f"{number} {_FRENCH_MONTHS[day.month - 1]} {day.year}"
    return f"{_ENGLISH_MONTHS[day.month - 1]} {day.day}, {day.year}"


def iso_639_2(language: str) -> str:
    return ISO_639_2.get(language.split("-")[0].lower(), "und")
