"""The Podcasting 2.0 person taxonomy (podcast:person role and group), lowercase as the
namespace writes them, and the French words podcasters use for the common roles."""

from __future__ import annotations

# group -> its roles, from the namespace's taxonomy.json
TAXONOMY: dict[str, tuple[str, ...]] = {
    "creative direction": (
        "director",
        "assistant director",
        "executive producer",
        "senior producer",
        "producer",
        "associate producer",
        "development producer",
        "creative director",
    ),
    "cast": (
        "host",
        "co-host",
        "guest host",
        "guest",
        "voice actor",
        "narrator",
        "announcer",
        "reporter",
    ),
    "writing": (
        "author",
        "editorial director",
        "co-writer",
        "writer",
        "songwriter",
        "guest writer",
        "story editor",
        "managing editor",
        "script editor",
        "script coordinator",
        "researcher",
        "editor",
        "fact checker",
        "translator",
        "transcriber",
        "logger",
    ),
    "audio production": (
        "studio coordinator",
        "technical director",
        "technical manager",
        "audio engineer",
        "remote recording engineer",
        "post production engineer",
    ),
    "audio post-production": (
        "audio editor",
        "sound designer",
        "foley artist",
        "composer",
        "theme music",
        "music production",
        "music contributor",
    ),
    "administration": (
        "production coordinator",
        "booking coordinator",
        "production assistant",
        "content manager",
        "marketing manager",
        "sales representative",
        "sales manager",
    ),
    "visuals": ("graphic designer", "cover art designer"),
    "community": ("social media manager",),
    "misc.": ("consultant", "intern"),
    "video production": ("camera operator", "lighting designer", "camera grip", "assistant camera"),
    "video post-production": ("editor", "assistant editor"),
}
ROLES = tuple(dict.fromkeys(role for roles in TAXONOMY.values() for role in roles))

# French words for the common roles and groups (masculine and feminine), as podcasters
# write them in a French show's files.
FRENCH_ROLES = {
    **dict.fromkeys(("animateur", "animatrice", "présentateur", "présentatrice"), "host"),
    **dict.fromkeys(("co-animateur", "co-animatrice", "coanimateur", "coanimatrice"), "co-host"),
    **dict.fromkeys(("invité", "invitée"), "guest"),
    **dict.fromkeys(("producteur", "productrice"), "producer"),
    **dict.fromkeys(("réalisateur", "réalisatrice"), "director"),
    **dict.fromkeys(("narrateur", "narratrice"), "narrator"),
    "journaliste": "reporter",
    **dict.fromkeys(("auteur", "autrice", "auteure"), "author"),
    **dict.fromkeys(("rédacteur", "rédactrice"), "writer"),
    **dict.fromkeys(("traducteur", "traductrice"), "translator"),
    **dict.fromkeys(("monteur", "monteuse"), "audio editor"),
    **dict.fromkeys(("compositeur", "compositrice"), "composer"),
    **dict.fromkeys(("ingénieur du son", "ingénieure du son"), "audio engineer"),
}
FRENCH_GROUPS = {
    "distribution": "cast",
    "direction de création": "creative direction",
    "écriture": "writing",
    "production audio": "audio production",
    "post-production audio": "audio post-production",
    "administration": "administration",
    "visuels": "visuals",
    "communauté": "community",
    "divers": "misc.",
}


def closest(word: str, choices: tuple[str, ...]) -> str:
    """``did you mean 'x'?`` for the nearest choice, or the whole list when none is near."""
    import difflib  # only for a file with a wrong role or group

    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.5)
    return f"did you mean {close[0]!r}?" if close else f"use one of {', '.join(choices)}"


def group_of(role: str) -> str:
    """The group a role belongs to (the first, for ``editor``)."""
    return next(group for group, roles in TAXONOMY.items() if role in roles)
