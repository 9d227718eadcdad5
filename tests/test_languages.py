"""End to end in French and Spanish: each person sees their own language, and only it."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.i18n import catalogue_path
from bot.models import Catalogue
from tests.harness import ADMIN_ID, ChatUser, RunningBot, bot_with
from tests.standin import BotApiStandIn, Sent

SPLIT = re.compile(r"\{[a-z_]+\}|</?b>|\n")


@cache
def english_fragments(language: str) -> frozenset[str]:
    """Pieces of English texts (15+ characters) that their translation in `language` does not keep."""
    with catalogue_path(language).open("rb") as source:
        catalogue = read_po(source)
    pieces = set()
    for message in catalogue:
        if message.id and message.string and message.string != message.id:
            parts = (part.strip() for part in SPLIT.split(str(message.id)))
            pieces.update(part for part in parts if len(part) >= 15 and part not in str(message.string))
    return frozenset(pieces)


def english_in(sent: Sent, language: str) -> list[str]:
    shown = sent.text + "\n" + "\n".join(label for label, _ in sent.buttons)
    return [piece for piece in english_fragments(language) if piece in shown]


JOIN = {
    "fr": (
        "Utiliser « ",
        "Afrique",
        "Recherche et enseignement",
        "Ni l'un ni l'autre",
        "Passer",
        "Membre d'équipe",
        "Confirmer",
    ),
    "es": (
        "Usar «",
        "África",
        "Investigación y educación",
        "Ninguno de los dos",
        "Omitir",
        "Miembro de equipo",
        "Confirmar",
    ),
}
BACK_AND_EDIT = {
    "fr": ("« Retour", "Modifier le profil", "Pays"),
    "es": ("« Atrás", "Modificar el perfil", "País"),
}
DONE = {"fr": "Merci, vous êtes inscrit·e.", "es": "Gracias, su inscripción está hecha."}
# French typography: a space (or a no-break one) before ":", ";", "?" and "!", never a letter
# glued to them; quoted words in « », not "…" or “…”. Times (12:30) and links are not words.
GLUED = re.compile(r"[^\s\u00a0\u202f\d][:;?!](?!//)|[\"“”]")
MARKUP = re.compile(r"<code>.*?</code>|<[^>]+>|&\w+;|(?:https?|tg)://\S+")  # code and entities are not prose


def french_typography_faults(text: str) -> list[str]:
    return [match.group() for match in GLUED.finditer(MARKUP.sub(" ", text))]


def test_every_french_text_follows_french_typography() -> None:
    with catalogue_path("fr").open("rb") as source:
        catalogue = read_po(source)
    faults = {str(m.string): french_typography_faults(str(m.string)) for m in catalogue if m.id and m.string}
    assert {text: found for text, found in faults.items() if found} == {}


@pytest.mark.parametrize("language", ["fr", "es"])
async def test_a_newcomer_joins_in_their_language_and_sees_no_english(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue, language: str
) -> None:
    async with bot_with(standin, tmp_path, catalogue, flood_limit=100) as running:  # a fast scripted person
        await _join_in(running, language)


async def _join_in(running_bot: RunningBot, language: str) -> None:
    person = ChatUser(running_bot.standin, 4001, first_name="Léa", last_name="Núñez", language_code=f"{language}-CA")
    await person.say("/start")
    await person.say("/taskforces")
    await person.press("B")
    await person.say("/join B3")
    use_name, region, kind, status, skip, member, confirm = JOIN[language]
    await person.press(use_name)
    await person.say("Institut des sols")
    await person.say("Sénégal")
    await person.press(region)
    back, edit, country = BACK_AND_EDIT[language]
    again = await person.press(back)  # the region question again, its answer marked
    assert any(label.startswith("✓ ") for label, _ in again.buttons)
    await person.press(region)
    await person.press(kind)
    await person.press(status)
    await person.press(skip)
    await person.press(member)
    await person.press(edit)  # the summary's Edit profile: one field, its answer offered
    await person.press(country)
    summary = await person.press("Sénégal")
    assert "Sénégal" in summary.text
    done = await person.press(confirm)
    assert DONE[language] in done.text
    await person.say("/mytaskforces")
    await person.press("B3 · ")
    await person.say("/profile")
    await person.say("/help")
    leaks = {piece for sent in person.messages for piece in english_in(sent, language)}
    assert leaks == set()
    if language == "es":  # goals are "ejes estratégicos", targets "metas"; "explorar", "rol"
        browse = next(sent for sent in person.messages if "Eje estratégico B" in sent.text)
        assert "Meta " not in browse.text
    if language == "fr":  # lines built in code too: "Nom : Léa", "B3 · … : Membre d'équipe"
        shown = [sent.text + "\n" + "\n".join(label for label, _ in sent.buttons) for sent in person.messages]
        assert {text: french_typography_faults(text) for text in shown if french_typography_faults(text)} == {}
    assert running_bot.db is not None
    row = await running_bot.db.fetchone(
        "SELECT k.language, p.region FROM people p JOIN known_users k USING (telegram_id) WHERE telegram_id = ?",
        (person.id,),
    )
    assert row is not None and (row["language"], row["region"]) == (f"{language}-CA", "Africa")


async def test_language_switches_mid_way(running_bot: RunningBot) -> None:
    person = ChatUser(running_bot.standin, 4002, language_code="en")
    assert "full name" in (await person.say("/join A1")).text
    choice = await person.say("/language")
    assert [label for label, _ in choice.buttons] == ["English", "Français", "Español"]
    switched = await person.press("Español")
    assert "A partir de ahora le escribo en español." in switched.text
    asked = await person.say("Ana López")  # the join flow carries on, now in Spanish
    assert "¿A qué organización pertenece?" in asked.text
    assert "Lo que puedo hacer" in (await person.say("/help")).text


async def test_command_menus_are_set_per_language_and_role(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    descriptions = {language: dict(standin.menu_entries(language=language)) for language in (None, "fr", "es")}
    assert descriptions[None]["join"] == "Join Task Forces"
    assert descriptions["fr"]["join"] == "Rejoindre des Task Forces"
    assert descriptions["es"]["join"] == "Unirse a Task Forces"
    fran = ChatUser(standin, 2001, language_code="fr")
    await fran.say("/start")
    await ChatUser(standin, ADMIN_ID).say(f"/facilitator {fran.id} A1")
    facilitator_menu = dict(standin.menu_entries(fran.id))
    assert facilitator_menu["pending"] == "Candidatures en attente de votre décision"


async def test_prompt_in_the_facilitators_language_outcome_in_the_applicants(
    running_bot: RunningBot, catalogue: Catalogue
) -> None:
    standin = running_bot.standin
    admin = ChatUser(standin, ADMIN_ID)
    fran = ChatUser(standin, 2001, first_name="Françoise", last_name="Facil", language_code="fr")
    ana = ChatUser(standin, 4003, first_name="Ana", last_name="López", language_code="es")
    await fran.say("/start")
    await admin.say(f"/facilitator {fran.id} C1")
    await ana.say("/join C1")
    await ana.press("Usar «")
    await ana.say("Universidad")
    await ana.say("Chile")
    await ana.press("América Latina y el Caribe")
    await ana.press("Investigación y educación")
    await ana.press("Socio (Foro de Socios)")
    await ana.press("Omitir")
    await ana.press("Líder global")
    await ana.say("Veinte años de trabajo en suelos.")
    await ana.press("Confirmar")
    prompt = await standin.wait_for(lambda s: s.chat_id == fran.id and "Candidature" in s.text)
    assert "Responsable mondial·e de la Task Force C1 · Plaidoyer et sensibilisation" in prompt.text
    assert "Amérique latine et Caraïbes" in prompt.text and "Veinte años de trabajo en suelos." in prompt.text
    assert english_in(prompt, "fr") == []
    await fran.press("Rejeter")
    await fran.say("Nous avons déjà une candidature retenue.")
    told = await standin.wait_for(lambda s: s.chat_id == ana.id and "no fue aceptada" in s.text)
    assert "«Nous avons déjà une candidature retenue.»" in told.text  # the facilitator's words, as written
    assert "Líder global del Task Force C1 · Incidencia y sensibilización" in told.text
    assert english_in(told, "es") == []


def test_objectives_carry_french_and_spanish_with_every_number(catalogue: Catalogue) -> None:
    assert catalogue.translations_status and "reviewed by the Executive Secretariat" in catalogue.translations_status
    for objective in catalogue.objectives:
        for field in ("title", "text", "baseline_2020", "target_2030", "target_2050"):
            texts = getattr(objective, field).root
            assert set(texts) == {"en", "fr", "es"}, (objective.code, field)
            for language in ("fr", "es"):
                for number in re.findall(r"\d+", texts["en"]):
                    assert number in re.findall(r"\d+", texts[language]), (objective.code, field, language, number)
    for option in (*catalogue.regions, *catalogue.stakeholder_types, *(s.label for s in catalogue.member_statuses)):
        assert set(option.root) == {"en", "fr", "es"}
