"""How the edited Keytime transcript was made from the raw automatic one (kept for the record).

    python episodes/_scripts/edit_keytime_seed.py ../shared/seed/000_af3c010ecca1d1c0.txt \
        episodes/001-anthony-passemard/transcript.txt

It names the speakers (the automatic labels swap partway through), joins turns cut between two
labels, gives the student her line, fixes one-off mishearings and punctuation in context, then
applies the show's glossary (episodes/corrections.txt) and puts one sentence per line. The
stand-in audio script then adds the times. Each one-off fix must match exactly once.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from toolkit.corrections import apply_corrections, load_corrections
from toolkit.transcript import parse_turns

HOST, GUEST, STUDENT = "Laura Guibora", "Anthony Passemard", "Niama"
SWAP = "Et je dis « Ah, non, je ne peux pas. »"  # from this turn on, the labels are swapped

ONE_OFF = [
    ("opportunités croissent ton chemin", "opportunités croisent ton chemin"),
    (
        "ma propre entreprise. d'être mon propre patron",
        "ma propre entreprise, d'être mon propre patron",
    ),
    ("intégration réseau. qui était", "intégration réseau, qui était"),
    (
        "Tout le monde s'en souvient évidemment de cette date. en rentrant les bureaux on n'a même "
        "pas d'ordinateur on est en train de redescendre aux voitures pour écouter la radio pour "
        "savoir ce qui se passe et donc c'est le début de notre boîte ça a été un petit point "
        "challenge mais c'était c'était quand même pour moi personnellement j'avais j'avais "
        "l'impression d'avoir atteint un objectif de vie presque à 26 ans ce qui était génial "
        "j'étais j'étais super excité j'étais avec julien attal aussi promo 98 qui était un des "
        "associés très bon très bon ami Et voilà",
        "Tout le monde s'en souvient évidemment, de cette date. En rentrant dans les bureaux, on "
        "n'a même pas d'ordinateur, on est en train de redescendre aux voitures pour écouter la "
        "radio, pour savoir ce qui se passe. Et donc c'est le début de notre boîte. Ça a été un "
        "petit peu challenge, mais c'était, c'était quand même, pour moi personnellement, j'avais, "
        "j'avais l'impression d'avoir atteint un objectif de vie presque, à 26 ans, ce qui était "
        "génial. J'étais, j'étais super excité. J'étais avec Julien Attal aussi, promo 98, qui "
        "était un des associés, très bon, très bon ami. Et voilà",
    ),
    (
        "je n'avais pas le temps. j'avais plus de sous",
        "je n'avais pas le temps, j'avais plus de sous",
    ),
    ("Le crepe, on en reparlera.", "Les crêpes, on en reparlera."),
    ("Comme le mix de crepe.", "Comme le mix de crêpes."),
    (
        "C'est lui qui m'a un peu... convaincu en disant mais qu'est ce que tu fais encore en "
        "france vient aux us va faire un billet tu vas voir tu vas t'éclater et pour "
        "l'entrepreneuriat c'est génial si tu veux être un entrepreneur là il ya tout ce qu'il "
        "faut vas-y vas-y vas-y et lui il avait suivi antonin fouri promo 98 qui était à chicago "
        "l'année d'avant donc tout la promo là qui commençait à partir il y avait france poit "
        "crop aussi pour vos 90 qui est parti faire son mbi en espagne et moi j'étais derrière un "
        "peu voilà j'étais derrière en disant bon Le MBA",
        "C'est lui qui m'a un peu… convaincu en disant : « Mais qu'est-ce que tu fais encore en "
        "France ? Viens aux US, va faire un MBA, tu vas voir, tu vas t'éclater. Et pour "
        "l'entrepreneuriat, c'est génial : si tu veux être un entrepreneur, là, il y a tout ce "
        "qu'il faut. Vas-y, vas-y, vas-y. » Et lui, il avait suivi Antonin Fouri, promo 98, qui "
        "était à Chicago l'année d'avant. Donc toute la promo, là, qui commençait à partir. Il y "
        "avait France Poitcrop aussi, promo 90, qui est partie faire son MBA en Espagne. Et moi, "
        "j'étais derrière un peu. Voilà, j'étais derrière en disant : bon, le MBA",
    ),
    ("le prof dit bon ben Vous avez", "le prof dit : bon ben, vous avez"),
    (
        "prendre vraiment ses sales forces, qui est le leader du cloud, du SaaS. Nos softwares, "
        "ils disent que c'est que du web.",
        "prendre vraiment, Salesforce, qui est le leader du cloud, du SaaS. « No software », ils "
        "disent, que c'est que du web.",
    ),
    ("aux États-Unis en 98 après les frais.", "aux États-Unis en 98 après l'Efrei."),
    ("qui s'appelle les services cloud, qui", "qui s'appelle Service Cloud, qui"),
    ("Kyle décide de... Mon boss. décide", "Kyle décide de… Mon boss décide"),
    ("Et donc, la silence radio", "Et donc, le silence radio"),
    ("on reparle » .", "on reparle »."),
    ("il me dit oh pfff Ça fait", "il me dit : oh pfff, ça fait"),
    (
        "dans la direction, on est VIP. et lui se retrouve sous un vip qui peut pas avec qui ça se "
        "passe très très mal et il dit je peux pas rester je m'en vais tu fais chier quand même "
        "car il a reçu pour bosser avec toi et tu te barres dit ouais mais je peux pas je peux pas "
        "ok donc il part il va chez unity 3d et moi en fait",
        "dans la direction, au niveau VP. Et lui se retrouve sous un VP qui… avec qui ça se "
        "passe très, très mal, et il dit : je peux pas rester, je m'en vais. Tu fais chier quand "
        "même, je suis venu pour bosser avec toi et tu te barres ! Il dit : ouais, mais je peux "
        "pas, je peux pas. OK. Donc il part, il va chez Unity, et moi, en fait",
    ),
    ("un à Seattle. donc c'est distribué", "un à Seattle, donc c'est distribué"),
    (
        "à un niveau d'une orgue. Une orgue, ça se gère en tant qu'orgue.",
        "à un niveau d'une org. Une org, ça se gère en tant qu'org.",
    ),
    ("au sein d'une orgue de cette taille-là", "au sein d'une org de cette taille-là"),
    ("je dois vraiment gérer. gérer une", "je dois vraiment gérer… gérer une"),
    ("comment manager At scale", "comment manager at scale"),
    ("en tant que général manager", "en tant que general manager"),
    ("plus tu mentes, plus tu es isolé", "plus tu montes, plus tu es isolé"),
    ("L'Eternal est ignoble, c'était quoi ce prix ?", "L'Eternal Student, c'était quoi ce prix ?"),
    ("si tu vois un gars, il faut aller", "si tu vois un gap, il faut aller"),
    ("Gemini et Cloud", "Gemini et Claude"),
    ("C'est pas du tout fun. peut te faire virer", "C'est pas du tout fun. On peut te faire virer"),
    ("tout est dry et pas une personne", "tout est drivé par une personne"),
    ("tout le monde ne fit pas. à chaque boîte", "tout le monde ne fit pas à chaque boîte"),
    ("Etats-Unis", "États-Unis"),
]

# The recogniser ends sentences where the speaker only paused: "en 2005. pour des raisons".
_STRAY_PERIOD = re.compile(r"(?<!etc)(?<!\.)\. (?=[a-zàâäçéèêëîïôöùûü])")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[«A-ZÀ-ÖØ-Þ0-9])")


def main(seed: Path, out: Path, glossary: Path) -> None:
    raw = parse_turns(seed.read_text(encoding="utf-8"))
    turns: list[list[str]] = []
    swapped = False
    for segment in raw.segments:
        swapped = swapped or segment.text.startswith(SWAP)
        host_label = "Speaker #1" if swapped else "Speaker #0"
        turns.append([HOST if segment.speaker == host_label else GUEST, segment.text])

    def find(prefix: str) -> int:
        hits = [i for i, (_, text) in enumerate(turns) if text.startswith(prefix)]
        assert len(hits) == 1, (prefix, hits)
        return hits[0]

    # Cut turns: the guest's sentence is split over two labels.
    turns[find("Ça fait des années que j'ai cette idée,")][0] = GUEST
    i = find("Un deuxième coup de fil, finalement. Oui,")
    turns[i][1] = "Un deuxième coup de fil, finalement."
    turns[i + 1][1] = "Oui, " + turns[i + 1][1]
    i = find("Je me rappelle quand on a préparé cet épisode")
    turns[i][1] = turns[i][1].replace("ma question c'est,", "ma question, c'est : pourquoi ?")
    turns[i + 1][1] = turns[i + 1][1].removeprefix("on se croit. ")
    # The student answers the host's last question.
    turns[find("Tout à fait. Merci.")][0] = STUDENT
    # The host's short question inside the guest's answer.
    i = find("Voilà, donc on s'est dit, avec mon épouse")
    before, after = turns[i][1].split(" Après le MBA ? ")
    after = after.replace(
        "Après le NBA, oui. Après le NBA, puis", "Après le MBA, oui. Après le MBA, puis"
    )
    turns[i : i + 1] = [[GUEST, before], [HOST, "Après le MBA ?"], [GUEST, after]]

    merged: list[list[str]] = []
    for speaker, text in turns:
        if merged and merged[-1][0] == speaker:
            merged[-1][1] += " " + text
        else:
            merged.append([speaker, text])

    text_of = "\n".join(t for _, t in merged)
    missing = [wrong for wrong, _ in ONE_OFF if wrong not in text_of]
    assert not missing, missing
    fixed = []
    for speaker, text in merged:
        for wrong, right in ONE_OFF:
            text = text.replace(wrong, right)
        text = _STRAY_PERIOD.sub(", ", text)
        text, _ = apply_corrections(text, load_corrections(glossary))
        fixed.append((speaker, text))

    lines: list[str] = []
    for speaker, text in fixed:
        lines.append(f"- {speaker}")
        lines.extend(s.strip() for s in _SENTENCE_END.split(text) if s.strip())
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(__file__).parents[1] / "corrections.txt")
