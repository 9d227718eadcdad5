"""Words that say what happened: a count reads in its own number, a term is the same on every screen."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from bot.config import SHIPPED_OBJECTIVES
from bot.i18n import catalogue_path, translator
from bot.models import Audience, Role, Standing
from bot.services.catalogue import load_catalogue
from bot.services.delphi import Invited
from bot.storage.delphi import Undelivered
from bot.views import announcements, words
from bot.views.delphi_results import failed_invitations
from tests.harness import ADMIN_ID, ChatUser, RunningBot
from tests.test_delphi import round_file, send_round
from tests.test_every_message import stored_round
from tests.test_languages import english_in, french_typography_faults

CATALOGUE = load_catalogue(SHIPPED_OBJECTIVES)


def test_the_failed_invitations_notice_counts_each_number_in_its_own_form() -> None:
    """'1 invitations, 1 destinataires injoignables': each of the three counts takes its own plural form."""
    one_each = Invited(stored_round(text="Étude"), 1, [Undelivered("Ada", unreachable=True), Undelivered("Bo", False)])
    french = failed_invitations(translator("fr"), one_each)
    assert "\u00a0: 1 invitation, 1 destinataire injoignable, 1 invitation non envoyée." in french
    spanish = failed_invitations(translator("es"), one_each)
    assert ": 1 invitación, 1 destinatario sin contacto, 1 invitación no enviada." in spanish
    two_each = Invited(one_each.round, 2, [*one_each.undelivered, *one_each.undelivered])
    assert ": 2 invitations, 2 destinataires injoignables, 2 invitations non envoyées." in failed_invitations(
        translator("fr"), two_each
    )
    assert "): 1 invited, 1 could not be reached, 1 could not be sent." in failed_invitations(
        translator("en"), one_each
    )


async def test_a_round_file_is_refused_in_the_admins_language_field_by_field(running_bot: RunningBot) -> None:
    """Issue 23: what pydantic finds wrong came back in its English ("Input should be a valid integer") to a
    French admin; each problem is now ours, in French, after the field it is about."""
    admin = ChatUser(running_bot.standin, ADMIN_ID, first_name="Sec", language_code="fr")
    broken = round_file(running_bot.clock(), round="deux", opens="demain", title={"fr": "Sans anglais"})
    broken["panel"] = ["B3"]
    broken["reminders"] = "P3D"
    broken["questions"][0]["type"] = "échelle"
    broken["questions"][2]["min"] = "zéro"
    broken["questions"][2]["max"] = 1e16
    answer = await send_round(admin, broken)
    assert "Le tour n'a pas été chargé" in answer.text
    said = {
        "round": "un nombre entier, comme 2",
        "title": "un texte en anglais (en) est obligatoire",
        "opens": "une date et une heure, comme 2026-12-20T18:00Z",
        "panel": "un groupe de champs, entre accolades",
        "reminders": "une liste, entre crochets",
        "questions[0].type": "l'une des valeurs <code>likert</code>, <code>choice</code>, <code>number</code>",
        "questions[2].min": "un nombre, comme 12.5",
        "questions[2].max": "au plus 1e+15",
    }
    for field, expected in said.items():
        assert f"<code>{field}</code>\u00a0: {expected}" in answer.text, (field, answer.text)
    many = round_file(running_bot.clock())
    many["questions"] = [many["questions"][1]] * 31
    assert "<code>questions</code>\u00a0: 30 éléments au plus" in (await send_round(admin, many)).text
    assert "Input should" not in answer.text and english_in(answer, "fr") == []
    assert french_typography_faults(answer.text) == []


# One term for each thing, in each language: for each English term (a regular expression over the English text,
# placeholders aside), the term its translation must use, and the variants no translation may use.
GLOSSARY: list[tuple[str, dict[str, str], dict[str, list[str]]]] = [
    (r"\bleaders?\b", {"fr": r"responsables? mondia(l|ux)", "es": r"líder(es)? global(es)?"},
     {"fr": [r"\bleaders?\b", r"\bresponsables?\b(?! mondia)"], "es": [r"\blíder(es)?\b(?! global)"]}),
    (r"\brepresentatives?\b",
     {"fr": r"représentant·es? régiona(l·e|ux·ales)", "es": r"representantes? regional(es)?"},
     {"fr": [r"représentants?(?!·)"], "es": []}),
    (r"\bteam members?\b", {"fr": r"membres? d'équipe", "es": r"miembros? de equipo"}, {"fr": [], "es": []}),
    (r"\bstakeholder types?\b", {"fr": r"types? de parties? prenantes?", "es": r"tipos? de actor(es)?"},
     {"fr": [r"types? d'acteurs?"], "es": [r"tipos? de partes?"]}),
    (r"\bstakeholders?\b", {"fr": r"parties? prenantes?", "es": r"\bactor(es)?\b"}, {"fr": [], "es": []}),
    (r"\bfacilitat(e|es|or|ors)\b", {"fr": r"facilit", "es": r"facilit"},
     {"fr": [r"facilitateurs?(?!·)", r"facilitatrices?"], "es": [r"\bfacilitador(es)?\b"]}),
    (r"\bsecretariat\b", {"fr": r"secrétariat", "es": r"secretaría"}, {"fr": [], "es": []}),
    (r"\bgoals?\b", {"fr": r"objectifs? généra(l|ux)", "es": r"ejes? estratégicos?"}, {"fr": [], "es": []}),
    (r"\btargets?\b", {"fr": r"\bcibles?\b", "es": r"\bmetas?\b"}, {"fr": [], "es": []}),
    (r"\bmember status\b", {"fr": r"statut de membre", "es": r"condición de miembro"}, {"fr": [], "es": []}),
    (r"\bpanellists?\b", {"fr": r"panélistes?", "es": r"panelistas?"}, {"fr": [], "es": []}),
    (r"\brounds?\b", {"fr": r"\btours?\b", "es": r"\brondas?\b"}, {"fr": [], "es": []}),
    (r"\bannouncements?\b", {"fr": r"\bannonces?\b", "es": r"\banuncios?\b"}, {"fr": [], "es": []}),
    # "la Task Force" in French, "el Task Force" in Spanish: the article and what agrees with it follow.
    (r"\btask forces?\b", {"fr": r"task forces?", "es": r"task forces?"},
     {"fr": [r"\b(le|du|au|un|ce)\s+task force"], "es": [r"\b(la|las|una|unas|esta|estas)\s+task forces?\b"]}),
]  # fmt: skip


def entries(language: str) -> list[tuple[str, str]]:
    """(English, translation) of each entry of a catalogue, a plural's forms joined."""
    with catalogue_path(language).open("rb") as source:
        catalogue = read_po(source, locale=language)
    return [
        (
            " ".join(m.id) if isinstance(m.id, tuple) else m.id,
            " ".join(m.string) if isinstance(m.string, tuple) else m.string,
        )
        for m in catalogue
        if m.id
    ]


@pytest.mark.parametrize("language", ["fr", "es"])
def test_each_thing_has_one_term_in_each_language(language: str) -> None:
    """Issue 23: "Leaders", "type d'acteur", "les facilitateurs" beside "Responsable mondial·e", "type de partie
    prenante", "facilitateur·rices"; "Elegidas" beside "los Task Forces"."""
    wrong = []
    for english, translated in entries(language):
        words = re.sub(r"\{[a-z_]*\}", " ", english)
        for term, required, variants in GLOSSARY:
            if re.search(term, words, re.IGNORECASE) and not re.search(required[language], translated, re.IGNORECASE):
                wrong.append((term, english, translated))
            wrong += [(variant, english, translated) for variant in variants[language]
                      if re.search(variant, translated, re.IGNORECASE)]  # fmt: skip
    assert wrong == []


def test_statuses_and_any_read_without_agreeing_with_what_they_follow() -> None:
    """Issue 23: "Membre d'équipe (active)", "Régions : tous", "Elegidas: 1 de 5" beside "los Task Forces".
    Statuses are said of the registration, in words that need no agreement with the role they follow."""
    french, spanish = translator("fr"), translator("es")
    assert words.status_label(french, Standing.ACTIVE) == "inscription active"
    assert words.status_label(spanish, Standing.ACTIVE) == "inscripción activa"
    assert words.status_label(french, Standing.REJECTED) == "candidature non retenue"
    anyone = "\n".join(announcements.audience_lines(french, Audience(roles=[Role.LEADER]), CATALOGUE))
    assert "Task Forces\u00a0: sans restriction" in anyone and "Régions\u00a0: sans restriction" in anyone
    assert "Regiones: sin restricción" in "\n".join(
        announcements.audience_lines(spanish, Audience(roles=[Role.MEMBER]), CATALOGUE)
    )
    assert spanish("Chosen: {count} of at most {cap}.").startswith("Elegidos:")
