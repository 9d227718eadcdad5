"""Words that say what happened: a count reads in its own number, a term is the same on every screen."""

from __future__ import annotations

from bot.i18n import translator
from bot.services.delphi import Invited
from bot.storage.delphi import Undelivered
from bot.views.delphi_results import failed_invitations
from tests.test_every_message import stored_round


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
