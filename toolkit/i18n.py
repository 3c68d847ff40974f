"""Interface words, punctuation, dates and sizes in the show's language (French first,
English as fallback): nothing the pages or the feed say depends on a language elsewhere."""

from __future__ import annotations

from datetime import date

WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "chapters": "Chapitres",
        "full_notes": "Notes complètes",
        "soundbites": "Moments choisis",
        "transcript": "Transcription",
        "notes": "Notes de l’épisode",
        "episode": "Épisode",
        "episodes": "Épisodes",
        "season": "Saison",
        "downloads": "Téléchargements",
        "audio": "Audio (MP3)",
        "subscribe": "S’abonner",
        "rss": "Flux RSS",
        "host": "Animation",
        "guest": "Invité",
        "skip": "Aller au contenu",
        "play_from": "Écouter à partir de",
        "link_to": "Lien vers",
        "follow": "Suivre la lecture",
        "not_found": "Page introuvable",
        "not_found_text": "Cette page n’existe pas ou plus.",
        "home": "Accueil",
        "duration": "Durée",
        "published": "Publié le",
        "listen": "Écouter",
        "no_audio": "Votre navigateur ne lit pas l’audio\u00a0: téléchargez le fichier MP3.",
        "chapters_json": "Chapitres (JSON)",
        "trailer": "Bande-annonce",
        "bonus": "Bonus",
        "download_vtt": "WebVTT (.vtt)",
        "download_srt": "SubRip (.srt)",
        "download_json": "JSON (Podcasting 2.0)",
        "download_txt": "Texte (.txt)",
        "play": "Lecture",
        "pause": "Pause",
        "player": "Lecteur",
        "skip_back": "Reculer de 15 secondes",
        "skip_forward": "Avancer de 30 secondes",
        "previous_chapter": "Chapitre précédent",
        "next_chapter": "Chapitre suivant",
        "speed": "Vitesse de lecture",
        "progress": "Position dans l’épisode",
        "of": "sur",
        "share": "Partager",
        "share_from_now": "Commencer à la position actuelle",
        "share_link": "Lien à partager",
        "copy_text": "Copier",
        "copied": "Copié",
        "resume": "Reprendre à",
        "shortcuts": "Raccourcis clavier",
        "shortcut_play": "Espace ou K : lecture ou pause",
        "shortcut_back": "J ou ← : reculer de 15 secondes",
        "shortcut_forward": "L ou → : avancer de 30 secondes",
        "search": "Rechercher dans la transcription",
        "search_previous": "Résultat précédent",
        "search_next": "Résultat suivant",
        "copy_feed": "Copier l’adresse du flux",
        "feed_url": "Adresse du flux",
        "close": "Fermer",
        "apps": "Applications",
        "links": "Liens",
        "link": "Lien",
        "feed_intro": (
            "Ceci est le flux RSS du podcast : copiez son adresse dans votre application "
            "de podcasts pour vous abonner."
        ),
        "website": "Site du podcast",
        # French typography: a no-break space before a colon and inside guillemets.
        "colon": "\u00a0:",
        "open_quote": "«\u00a0",
        "close_quote": "\u00a0»",
    },
    "en": {
        "chapters": "Chapters",
        "full_notes": "Full show notes",
        "soundbites": "Highlights",
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
        "download_vtt": "WebVTT (.vtt)",
        "download_srt": "SubRip (.srt)",
        "download_json": "JSON (Podcasting 2.0)",
        "download_txt": "Text (.txt)",
        "play": "Play",
        "pause": "Pause",
        "player": "Player",
        "skip_back": "Back 15 seconds",
        "skip_forward": "Forward 30 seconds",
        "previous_chapter": "Previous chapter",
        "next_chapter": "Next chapter",
        "speed": "Playback speed",
        "progress": "Position in the episode",
        "of": "of",
        "share": "Share",
        "share_from_now": "Start at the current time",
        "share_link": "Link to share",
        "copy_text": "Copy",
        "copied": "Copied",
        "resume": "Resume at",
        "shortcuts": "Keyboard shortcuts",
        "shortcut_play": "Space or K: play or pause",
        "shortcut_back": "J or ←: back 15 seconds",
        "shortcut_forward": "L or →: forward 30 seconds",
        "search": "Search the transcript",
        "search_previous": "Previous match",
        "search_next": "Next match",
        "copy_feed": "Copy the feed URL",
        "feed_url": "Feed URL",
        "close": "Close",
        "apps": "Apps",
        "links": "Links",
        "link": "Link",
        "feed_intro": (
            "This is the podcast's RSS feed: copy its address into your podcast app to subscribe."
        ),
        "website": "The podcast's site",
        "colon": ":",
        "open_quote": "“",
        "close_quote": "”",
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


def _base(language: str) -> str:
    """``fr-CA`` -> ``fr``: the words and rules of a language serve all its regions."""
    return language.split("-")[0].lower()


def words(language: str) -> dict[str, str]:
    return WORDS.get(_base(language), WORDS["en"])


def long_date(day: date, language: str) -> str:
    """
    >>> long_date(date(2021, 5, 1), "fr")
    '1er mai 2021'
    >>> long_date(date(2024, 10, 8), "en-US")
    'October 8, 2024'
    """
    if _base(language) == "fr":
        number = "1er" if day.day == 1 else str(day.day)
        return f"{number} {_FRENCH_MONTHS[day.month - 1]} {day.year}"
    return f"{_ENGLISH_MONTHS[day.month - 1]} {day.day}, {day.year}"


def file_size(size: int, language: str) -> str:
    """Megabytes with one decimal, the way the language writes them.

    >>> file_size(12_345_678, "fr"), file_size(12_345_678, "en")
    ('12,3 Mo', '12.3 MB')
    """
    text = f"{size / 1_000_000:.1f}"
    return text.replace(".", ",") + " Mo" if _base(language) == "fr" else text + " MB"


def iso_639_2(language: str) -> str:
    return ISO_639_2.get(_base(language), "und")
