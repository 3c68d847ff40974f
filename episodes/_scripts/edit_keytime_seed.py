"""How the edited Keytime transcript was made from the raw automatic one (kept for the record).

    python episodes/_scripts/edit_keytime_seed.py ../shared/seed/000_af3c010ecca1d1c0.txt \
        episodes/001-antony-passemard/transcript.txt

It names the speakers (the automatic labels swap partway through), joins turns cut between two
labels, gives the student her line, adds the editor's note where her question was not recorded,
fixes one-off mishearings, agreements and punctuation in context (reported speech between « »),
marks what cannot be made out ([inaudible], [nom inaudible]) instead of guessing, then applies
the show's glossary (episodes/corrections.txt) and puts one sentence per line. The stand-in
audio script then adds the times. Each one-off fix must match exactly once when it runs.
The editorial record (what was changed and why, what stays unclear) is EDITORIAL_NOTES.md.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from toolkit.corrections import apply_corrections, load_corrections
from toolkit.transcript import parse_turns

HOST, GUEST, STUDENT = "Laura Guibora", "Antony Passemard", "Niama"
SWAP = "Et je dis « Ah, non, je ne peux pas. »"  # from this turn on, the labels are swapped

ONE_OFF = [
    # Attribution and agreement in the opening turns: the host is a woman.
    ("Ravi et bienvenue", "Ravie et bienvenue"),
    ("Plaisir partagé, content de faire", "Plaisir partagé, contente de faire"),
    ("Et bien je te propose de commencer", "Eh bien je te propose de commencer"),
    ("opportunités croissent ton chemin", "opportunités croisent ton chemin"),
    (
        "ma propre entreprise. d'être mon propre patron",
        "ma propre entreprise, d'être mon propre patron",
    ),
    ("intégration réseau. qui était", "intégration réseau, qui était"),
    ("Alors ça y va, n'hésitez pas à le lire.", "Alors, [inaudible]."),
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
    ("on est un peu inquiet,", "on est un peu inquiets,"),
    ("C'était mon majeur à", "C'était ma majeure à"),
    ("que j'étais sur mon pas.", "que j'étais [inaudible]."),
    (
        "on tous dit, écoute, nous, on te suit toi, on s'en fiche du nom de la boîte, on te suit "
        "toi. Donc, si tu y vas, on te suit.",
        "ils ont tous dit : « Écoute, nous, on te suit toi, on s'en fiche du nom de la boîte, on "
        "te suit toi. Donc, si tu y vas, on te suit. »",
    ),
    (
        "je n'avais pas le temps. j'avais plus de sous",
        "je n'avais pas le temps, j'avais plus de sous",
    ),
    ("Benjamin De Vichy", "Benjamin de Vichy"),
    (
        "on s'est dit pourquoi je ne rejoindrais pas Iniflu ?",
        "on s'est dit : « Pourquoi je ne rejoindrais pas Iniflu ? »",
    ),
    ("Free n'avait pas cher", "Free n'était pas cher"),
    ("Le crepe, on en reparlera.", "Les crêpes, on en reparlera."),
    ("Comme le mix de crepe.", "Comme le mix de crêpes."),
    # He is fed up with selling services, not fond of them.
    ("Moi, j'aime le service, j'en ai marre.", "Moi, le service, j'en ai marre."),
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
        "avait [nom inaudible] aussi, [inaudible], qui est parti faire son MBA en Espagne. Et "
        "moi, j'étais derrière un peu. Voilà, j'étais derrière en disant : « Bon, le MBA",
    ),
    (
        "si c'est très intéressant. Et puis, ils m'ont convaincu.",
        "si c'est très intéressant. » Et puis, ils m'ont convaincu.",
    ),
    ("Je dis, je vais tenter.", "Je dis : « Je vais tenter. »"),
    ("Je dis, écoute, je vais tenter le MBA.", "Je dis : « Écoute, je vais tenter le MBA."),
    ("Et puis, si ça marche, je fais ça.", "Et puis, si ça marche, je fais ça. »"),
    (
        "Et je me dis, mais c'est quoi ? Il manque des papiers, ils vont me dire que c'est pas "
        "bon. C'est mort, quoi. Tant pis.",
        "Et je me dis : « Mais c'est quoi ? Il manque des papiers, ils vont me dire que c'est pas "
        "bon. C'est mort, quoi. Tant pis. »",
    ),
    (
        "il me dit, non, Anthony, on est très fiers de te proposer de rejoindre Berkeley, etc.",
        "il me dit : « Non, Anthony, on est très fiers de te proposer de rejoindre "
        "Berkeley », etc.",
    ),
    ("c'était la Tech, c'était", "c'était la tech, c'était"),
    ("Oh là là, on porte la mer là, à San Francisco", "Oh là là, [inaudible], à San Francisco"),
    ("Enfin, l'enfant, j'ai rien à dire.", "Enfin, l'enfant, [inaudible]."),
    ("une excitation sans borne,", "une excitation sans bornes,"),
    ("monter une boîte. dans la Silicon Valley", "monter une boîte dans la Silicon Valley"),
    (
        "la classe est 240 personnes. de gens de partout",
        "la classe, c'est 240 personnes, des gens de partout",
    ),
    ("ils ne connaissent pas quand même", "ils ne [inaudible] pas quand même"),
    ("rencontrer plein de qui sont", "rencontrer plein de [inaudible] qui sont"),
    ("le prof dit bon ben Vous avez", "le prof dit : « Bon ben, vous avez"),
    (
        "Partagez votre idée. Et je dis non mais ça... En bon français, je dis mais ça va pas "
        "ou quoi ?",
        "Partagez votre idée. » Et je dis : « Non mais ça... » En bon français, je dis : « Mais "
        "ça va pas ou quoi ?",
    ),
    ("ils vont me la piquer. Puis bon,", "ils vont me la piquer. » Puis bon,"),
    ("me dit « Ah, tiens", "me dit : « Ah, tiens"),
    ("tu te dis « Mais attends", "tu te dis : « Mais attends"),
    ("Quoiqu'il soit, sans attendre", "[inaudible], sans attendre"),
    ("ils vont dire « Ah tiens", "ils vont dire : « Ah tiens"),
    ("ça s'auto… Feed en anglais", "ça s'auto… feed en anglais"),
    ("c'est que les frais, j'étais en 2007", "c'est que [inaudible], j'étais en 2007"),
    (
        "Moi, Yahoo me dit, si tu ne veux pas prendre l'offre, tu nous le dis. Mais ils l'ont "
        "conservé,",
        "Moi, Yahoo me dit : « Si tu ne veux pas prendre l'offre, tu nous le dis. » Mais ils "
        "l'ont conservée,",
    ),
    (
        "j'avais dit, moi, je ne travaillerai jamais dans un cubicle. C'est impossible.",
        "j'avais dit : « Moi, je ne travaillerai jamais dans un cubicle. C'est impossible. »",
    ),
    (
        "Et j'ai dit, je ne vais pas travailler dans un cubicle.",
        "Et j'ai dit : « Je ne vais pas travailler dans un cubicle. »",
    ),
    ("de users par mois, unique.", "de users par mois, uniques."),
    ("couper les coups", "couper les coûts"),
    (
        "prendre vraiment ses sales forces, qui est le leader du cloud, du SaaS. Nos softwares, "
        "ils disent que c'est que du web.",
        "prendre vraiment, Salesforce, qui est le leader du cloud, du SaaS. « No software », ils "
        "disent, que c'est que du web.",
    ),
    ("aux États-Unis en 98 après les frais.", "aux États-Unis en 98 après l'Efrei."),
    ("une soirée de français", "une soirée de Français"),
    ("Il y a plein de français", "Il y a plein de Français"),
    ("on a trop de français", "on a trop de Français"),
    ("Je dis « Bon, écoute", "Je dis : « Bon, écoute"),
    ("qui s'appelle les services cloud, qui", "qui s'appelle Service Cloud, qui"),
    ("Bon, on ne sait pas ce qu'il y a de plus fun", "Bon, ce n'est pas ce qu'il y a de plus fun"),
    ("accéder à... Appeler le client", "accéder à… appeler le client"),
    ("tiens, au compte-pulité, là,", "tiens, [inaudible], là,"),
    ("qui est un français très connu", "qui est un Français très connu"),
    (
        "Il me dit pourquoi tu ne rejoins pas ? Je te fais le CEO, Kyle Roche, il me dit, viens, "
        "tu seras mon bras droit, on monte.",
        "Il me dit : « Pourquoi tu ne rejoins pas ? » [inaudible], le CEO, Kyle Roche, il me "
        "dit : « Viens, tu seras mon bras droit, on monte. »",
    ),
    (
        "il dit, viens me faire le product management pour l'IoT chez Amazon.",
        "il dit : « Viens me faire le product management pour l'IoT chez Amazon. »",
    ),
    ("Kyle décide de... Mon boss. décide", "Kyle décide de… Mon boss décide"),
    (
        "Et il me dit il faut que tu viennes à Seattle, il faut que tu déménages.",
        "Et il me dit : « Il faut que tu viennes à Seattle, il faut que tu déménages. »",
    ),
    ("Et je dis « Ah, non", "Et je dis : « Ah, non"),
    ("Et qui me dit « On cherche", "Et qui me dit : « On cherche"),
    ("Je dis « Ah, ça tombe bien", "Je dis : « Ah, ça tombe bien"),
    ("il avait 5000 personnes", "il avait 5 000 personnes"),
    ("On va voir Carol.", "On va voir [nom inaudible]."),
    ("Et là, on aperçoit qu'il y a", "Et là, on s'aperçoit qu'il y a"),
    ("Et on dit, ah bon, ok.", "Et on dit : « Ah bon, OK. »"),
    (
        "il dit, non, non, non, ça on arrête. Les trois sociétés-là, les acquisitions, on "
        "arrête. L'IoT, on arrête.",
        "il dit : « Non, non, non, ça on arrête. Les trois sociétés-là, les acquisitions, on "
        "arrête. L'IoT, on arrête. »",
    ),
    (
        "Et il me dit, il faut qu'il fasse autre chose.",
        "Et il me dit : « Il faut qu'ils fassent autre chose. »",
    ),
    (
        "Thomas me dit non, non, mais tu n'as pas bien compris. Ils font autre chose, on "
        "arrête. Je dis, on a des clients quand même, on a des clients sur la plateforme. Non, "
        "non, tu te débrouilles, on arrête, tu me les mets sur autre chose.",
        "Thomas me dit : « Non, non, mais tu n'as pas bien compris. Ils font autre chose, on "
        "arrête. » Je dis : « On a des clients quand même, on a des clients sur la plateforme. "
        "» « Non, non, tu te débrouilles, on arrête, tu me les mets sur autre chose. »",
    ),
    ("une grosse question qu'est-ce que", "une grosse question : qu'est-ce que"),
    (
        "qui me contacte et dit tiens tu étais dans les centres d'appels dans les produits de "
        "centres d'appels chez Salesforce là on a besoin",
        "qui me contacte et dit : « Tiens, tu étais dans les centres d'appels, dans les produits "
        "de centres d'appels chez Salesforce. Là, on a besoin",
    ),
    ("on sait que tu es bien. Voilà,", "on sait que tu es bien. » Voilà,"),
    (
        "Je dis, bon, ouais, ça me paraît pas mal. Essayons,",
        "Je dis : « Bon, ouais, ça me paraît pas mal. » Essayons,",
    ),
    ("J'ai dit, il y a IA. et donc", "[inaudible], et donc"),
    ("on devait faire pas aux 4 millions", "on devait faire [inaudible] 4 millions"),
    (
        "En disant, le VP va se coucher dans un quart d'heure, si tu ne me renvoies pas ça "
        "signé, le deal est off.",
        "En disant : « Le VP va se coucher dans un quart d'heure, si tu ne me renvoies pas ça "
        "signé, le deal est off. »",
    ),
    ("je dis non, on ne peut pas. La clause", "je dis : « Non, on ne peut pas. La clause"),
    (
        "c'est un deal à 100 millions. Et mon VP me suit, il me dit non, je pense que tu as "
        "raison. On ne peut pas le faire, donc on leur dit non.",
        "c'est un deal à 100 millions. » Et mon VP me suit, il me dit : « Non, je pense que tu "
        "as raison. On ne peut pas le faire, donc on leur dit non. »",
    ),
    ("Et donc, la silence radio", "Et donc, le silence radio"),
    ("on reparle » .", "on reparle »."),
    ("à chaque opportunité de rentrée,", "à chaque opportunité de rentrer,"),
    ("Donc on n'est pas parti,", "Donc on n'est pas partis,"),
    ("A chaque fois, on a décidé", "À chaque fois, on a décidé"),
    ("que j'avais rachetés à l'époque", "que j'avais racheté à l'époque"),
    ("qui me dit « Tiens, je me souviens", "qui me dit : « Tiens, je me souviens"),
    (
        "Et il me dit « Je me souviens que tu voulais faire de la 3D, t'aimais bien ça, toi ? » "
        "Je cherche",
        "Et il me dit : « Je me souviens que tu voulais faire de la 3D, t'aimais bien ça, toi ? "
        "Je cherche",
    ),
    (
        "qui est de la content creation dans le cloud. Donc",
        "qui est de la content creation dans le cloud. » Donc",
    ),
    (
        "Et je lui dis, ouais, mais moi, Amazon,",
        "Et je lui dis : « Ouais, mais moi, Amazon,",
    ),
    ("que tu t'en ailles, quoi.", "que tu t'en ailles, quoi. »"),
    (
        "il était parti il me dit oh pfff Ça fait assez de temps que je suis là, moi, je suis un "
        "lifer, il dit.",
        "il était parti. Il me dit : « Oh pfff, ça fait assez de temps que je suis là, moi, je "
        "suis un lifer », il dit.",
    ),
    (
        "Il me dit, moi, je suis là, pas de problème.",
        "Il me dit : « Moi, je suis là, pas de problème. »",
    ),
    ("Tu as rentré en jeu les génies", "[inaudible] en jeu les génies"),
    (
        "Et il me dit, les mecs que j'ai dans l'équipe, ils sont extraordinaires.",
        "Et il me dit : « Les mecs que j'ai dans l'équipe, ils sont extraordinaires. »",
    ),
    ("le Seigneur des Anneaux", "le Seigneur des anneaux"),
    ("qui était un élève fort,", "qui était [inaudible],"),
    (
        "Il dit, écoute, j'en peux plus, il y a eu des changements.",
        "Il dit : « Écoute, j'en peux plus, il y a eu des changements. »",
    ),
    (
        "dans la direction, on est VIP. et lui se retrouve sous un vip qui peut pas avec qui ça se "
        "passe très très mal et il dit je peux pas rester je m'en vais tu fais chier quand même "
        "car il a reçu pour bosser avec toi et tu te barres dit ouais mais je peux pas je peux pas "
        "ok donc il part il va chez unity 3d et moi en fait",
        "dans la direction, au niveau VP. Et lui se retrouve sous un VP qui… avec qui ça se "
        "passe très, très mal, et il dit : « Je peux pas rester, je m'en vais. » « Tu fais chier "
        "quand même, [inaudible] pour bosser avec toi et tu te barres ! » Il dit : « Ouais, mais "
        "je peux pas, je peux pas. » OK. Donc il part, il va chez Unity 3D, et moi, en fait",
    ),
    ("Et là, j'ai nos limites. embauchent nos limites.", "Et là, [inaudible]."),
    ("avec TED de 150", "avec [inaudible] 150"),
    ("un à Seattle. donc c'est distribué", "un à Seattle, donc c'est distribué"),
    (
        "à un niveau d'une orgue. Une orgue, ça se gère en tant qu'orgue.",
        "à un niveau d'une org. Une org, ça se gère en tant qu'org.",
    ),
    ("au sein d'une orgue de cette taille-là", "au sein d'une org de cette taille-là"),
    ("je dois vraiment gérer. gérer une", "je dois vraiment gérer… gérer une"),
    ("Et donc, j'ai pu remettre. On fait", "Et donc, j'ai pu remettre [inaudible]. On fait"),
    ("comment manager At scale", "comment manager at scale"),
    ("en tant que général manager", "en tant que general manager"),
    (
        "tu as dit quand on est boss, on ne peut pas montrer qu'on n'a pas le moral.",
        "tu as dit : « Quand on est boss, on ne peut pas montrer qu'on n'a pas le moral. »",
    ),
    ("pour leur morale,", "pour leur moral,"),
    ("plus tu mentes, plus tu es isolé", "plus tu montes, plus tu es isolé"),
    ("L'Eternal est ignoble, c'était quoi ce prix ?", "L'Eternal Student, c'était quoi ce prix ?"),
    ("Je pense qu'il ne savait pas quoi", "Je pense qu'ils ne savaient pas quoi"),
    ("que j'ai fait des erreurs, C'est vraiment", "que j'ai fait des erreurs, c'est vraiment"),
    ("si tu vois un gars, il faut aller", "si tu vois un gap, il faut aller"),
    ("Gemini et Cloud", "Gemini et Claude"),
    (
        "Donc on a commencé à me dire, ton équipe de 170 personnes, tu la réduis, tu la réduis, "
        "puis tu vas réduire ça depuis de 40%.",
        "Donc on a commencé à me dire : « Ton équipe de 170 personnes, tu la réduis, tu la "
        "réduis, puis tu vas réduire ça [inaudible] 40%. »",
    ),
    ("communiquer avec ses équipes", "communiquer avec ces équipes"),
    ("Au Winnipeg ou au Canada", "À Winnipeg ou au Canada"),
    # Amazon's writing rule is "no adjectives", every claim backed by data.
    (
        "tu n'as pas d'objectif, tu n'as pas d'objectif dans",
        "tu n'as pas d'adjectifs, tu n'as pas d'adjectifs dans",
    ),
    ("C'est pas du tout fun. peut te faire virer", "C'est pas du tout fun. On peut te faire virer"),
    ("tout est dry et pas une personne", "tout est drivé par une personne"),
    ("ça va faire son petit pay.", "ça va faire [inaudible]."),
    ("tout le monde ne fit pas. à chaque boîte", "tout le monde ne fit pas à chaque boîte"),
]

# An editor's note: a whole line in brackets, never spoken, placed where it applies.
NIAMA_NOTE = "[La question de Niama n'a pas été captée par l'enregistrement.]"

# The recogniser ends sentences where the speaker only paused: "en 2005. pour des raisons".
_STRAY_PERIOD = re.compile(r"(?<!etc)(?<!\.)\. (?=[a-zàâäçéèêëîïôöùûü])")
# A sentence ends at . ! ? or …, or at a closing » right after one.
_SENTENCE_END = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…] »))\s+(?=[«\[A-ZÀ-ÖØ-Þ0-9])")


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
    i = find("Ravi et bienvenue sur le podcast")
    turns[i][1] = turns[i][1].removesuffix(" Merci beaucoup.")
    turns[i + 1][1] = "Merci beaucoup. " + turns[i + 1][1]
    turns[find("Ça fait des années que j'ai cette idée,")][0] = GUEST
    i = find("Un deuxième coup de fil, finalement. Oui,")
    turns[i][1] = "Un deuxième coup de fil, finalement."
    turns[i + 1][1] = "Oui, " + turns[i + 1][1]
    i = find("Je me rappelle quand on a préparé cet épisode")
    turns[i][1] = turns[i][1].replace("ma question c'est,", "ma question, c'est : pourquoi ?")
    turns[i + 1][1] = turns[i + 1][1].removeprefix("on se croit. ")
    # The student answers the host's last question.
    turns[find("Tout à fait. Merci.")][0] = STUDENT
    # Her question, between the host's invitation and the guest's answer, was not recorded.
    i = find("Merci Niaman. Oui ça c'est quelque chose")
    turns.insert(i, [STUDENT, NIAMA_NOTE])
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

    for wrong, right in ONE_OFF:  # in order: each fix must match exactly once when it runs
        hits = [turn for turn in merged for _ in range(turn[1].count(wrong))]
        assert len(hits) == 1, (wrong, len(hits))
        hits[0][1] = hits[0][1].replace(wrong, right)
    fixed = []
    for speaker, text in merged:
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
