"""End to end in French and Spanish: each person sees their own language, and only it."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.i18n import catalogue_path, translator
from bot.models import Catalogue
from bot.views.words import labelled, quoted, sign
from tests.harness import ADMIN_ID, ChatUser, RunningBot, bot_with
from tests.standin import BotApiStandIn, Sent
from tests.test_delphi import round_file, seeded_panel, send_round

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
        "Utiliser «\u00a0",
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
# French typography: a narrow no-break space (U+202F) before ";", "?" and "!", a no-break space (U+00A0)
# before ":" and inside « », so that no sign wraps alone onto the next line; quotations in « », not "…" or
# “…”. Times (12:30), links, code and entities (&lt;) are not prose; a « that nothing closes is the arrow
# of the Back buttons, not a quotation.
FRENCH_FAULT = re.compile(r"(?<![\u00a0\d]):|(?<!\u202f)[;?!]|«(?=[^«»]*»)(?!\u00a0)|(?<!\u00a0)»|[\"“”]")
MARKUP = re.compile(r"<code>.*?</code>|<[^>]+>|&#?\w+;|(?:https?|tg)://\S+", re.DOTALL)


def french_typography_faults(text: str) -> list[str]:
    """Each fault with the words around it, the spaces made visible: "Nom␣: Léa"."""
    prose = MARKUP.sub(" ", text)
    return [
        prose[max(0, fault.start() - 12) : fault.end() + 2].replace(" ", "␣") for fault in FRENCH_FAULT.finditer(prose)
    ]


def french_texts(sent: Sent) -> list[str]:
    return [sent.text, *(label for label, _ in sent.buttons)]


def test_lines_joined_in_code_take_the_readers_spaces() -> None:
    french, english, spanish = translator("fr"), translator("en"), translator("es")
    assert labelled(french, "Afrique", "n = 7") == "Afrique\u00a0: n = 7"
    assert [sign(french, mark) for mark in ";!?"] == ["\u202f;", "\u202f!", "\u202f?"]
    assert quoted(french, "Vingt ans") == "«\u00a0Vingt ans\u00a0»"
    for other in (english, spanish):
        assert labelled(other, "Africa", "n = 7") == "Africa: n = 7" and sign(other, ";") == ";"
    assert quoted(english, "Twenty years") == "“Twenty years”"


FRENCH_ROUND = {
    "title": {"en": "Implementation strategies 2030", "fr": "Stratégies de mise en œuvre 2030"},
    "questions": [
        {
            "id": "q1",
            "type": "likert",
            "scale": 9,
            "text": {
                "en": "How important is a regional helpdesk?",
                "fr": "Quelle importance pour un guichet régional\u202f?",
            },
            "labels": {
                "1": {"en": "not important", "fr": "sans importance"},
                "9": {"en": "critical", "fr": "essentiel"},
            },
        },
        {"id": "q2", "type": "text", "text": {"en": "What is missing?", "fr": "Que manque-t-il\u202f?"}},
    ],
}


async def test_every_french_text_and_screen_follows_french_typography(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue
) -> None:
    with catalogue_path("fr").open("rb") as source:
        messages = [message for message in read_po(source) if message.id]
    texts = [
        text
        for message in messages
        for text in (message.string if isinstance(message.string, tuple) else (message.string,))
    ]
    async with bot_with(standin, tmp_path, catalogue, flood_limit=100) as running:  # fast scripted people
        lea = await _join_in(running, "fr")
        admin = ChatUser(standin, ADMIN_ID, first_name="Sec", language_code="fr")
        await admin.say("/stats")
        await standin.wait_for(lambda s: s.chat_id == ADMIN_ID and s.method == "sendPhoto")
        await seeded_panel(running)  # Léa's place too is older than the panel's cut-off
        loaded = await send_round(admin, round_file(running.clock(), **FRENCH_ROUND))
        assert "Tour chargé" in loaded.text, loaded.text
        running.clock.advance(hours=2)
        await running.settled()
        await lea.press("8")
        await lea.press("Ajouter un commentaire")
        await lea.say("Du personnel sur place.")
        await standin.wait_for(lambda s: s.chat_id == lea.id and "Que manque-t-il" in s.text)
        await lea.say("Des laboratoires.")
        await lea.press("Passer")
        marker = len(standin.sent)
        results = await admin.say("/delphi_results implementation-2030")
        assert "«\u00a0Du personnel sur place.\u00a0»" in results.text  # one answer: no group of one shown
        assert "Par région\u00a0:\n· aucun groupe n'a 5 réponses ou plus" in results.text
        await standin.wait_for(
            lambda s: s.chat_id == ADMIN_ID and "«\u00a0Des laboratoires.\u00a0»" in s.text, start=marker
        )
        texts += [text for person in (lea, admin) for sent in person.messages for text in french_texts(sent)]
    assert {text: french_typography_faults(text) for text in texts if french_typography_faults(text)} == {}


@pytest.mark.parametrize("language", ["fr", "es"])
async def test_a_newcomer_joins_in_their_language_and_sees_no_english(
    standin: BotApiStandIn, tmp_path: Path, catalogue: Catalogue, language: str
) -> None:
    async with bot_with(standin, tmp_path, catalogue, flood_limit=100) as running:  # a fast scripted person
        await _join_in(running, language)


async def _join_in(running_bot: RunningBot, language: str) -> ChatUser:
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
    assert running_bot.db is not None
    row = await running_bot.db.fetchone(
        "SELECT k.language, p.region FROM people p JOIN known_users k USING (telegram_id) WHERE telegram_id = ?",
        (person.id,),
    )
    assert row is not None and (row["language"], row["region"]) == (f"{language}-CA", "Africa")
    return person


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
    assert english_in(prompt, "fr") == [] and french_typography_faults(prompt.text) == []  # « the motivation »
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
