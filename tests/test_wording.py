"""Words that say what happened: a count reads in its own number, a term is the same on every screen."""

from __future__ import annotations

from bot.i18n import translator
from bot.services.delphi import Invited
from bot.storage.delphi import Undelivered
from bot.views.delphi_results import failed_invitations
from tests.harness import ADMIN_ID, ChatUser, RunningBot
from tests.test_delphi import round_file, send_round
from tests.test_every_message import stored_round
from tests.test_languages import english_in, french_typography_faults


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
    for field, words in said.items():
        assert f"<code>{field}</code>\u00a0: {words}" in answer.text, (field, answer.text)
    many = round_file(running_bot.clock())
    many["questions"] = [many["questions"][1]] * 31
    assert "<code>questions</code>\u00a0: 30 éléments au plus" in (await send_round(admin, many)).text
    assert "Input should" not in answer.text and english_in(answer, "fr") == []
    assert french_typography_faults(answer.text) == []
