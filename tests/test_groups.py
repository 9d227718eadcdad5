"""End to end: a task force's group chat linked, entered by its members only, left with the task force."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from bot.models import RegistrationStatus, Role
from bot.storage.database import Database
from tests.harness import ADMIN_ID, ChatUser, RunningBot, Seeded, seed, start_bot_process, stop
from tests.standin import BotApiStandIn, bot_member_update, group, join_request_update, message_update

GROUP = -1001
ACTIVE = RegistrationStatus.ACTIVE
MEMBERS = (
    Seeded(1001, name="Ada Lovelace", places=(("B3", Role.MEMBER, ACTIVE),)),
    Seeded(1003, name="Cy Members", places=(("B3", Role.MEMBER, ACTIVE),)),
)
FULL_RIGHTS = {"invite": True, "ban": True}


async def facilitator_of_b3(standin: BotApiStandIn) -> ChatUser:
    fran = ChatUser(standin, 2001, first_name="Fran", last_name="Facil")
    await fran.say("/start")
    await ChatUser(standin, ADMIN_ID).say(f"/facilitator {fran.id} B3")
    await standin.wait_for(lambda s: s.chat_id == fran.id and "You are now a facilitator" in s.text)
    return fran


async def linked_b3(running: RunningBot) -> ChatUser:
    await seed(running, *MEMBERS)
    fran = await facilitator_of_b3(running.standin)
    running.standin.bot_rights[GROUP] = FULL_RIGHTS
    answer = await fran.say_in_group("/link B3 fr", GROUP, "supergroup")
    assert "This group is now the group of Task Force <b>B3</b>" in answer.text
    return fran


async def test_linking_needs_the_rights_and_the_authority(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    await seed(running_bot, *MEMBERS)
    fran = await facilitator_of_b3(standin)
    not_admin = await fran.say_in_group("/link B3", GROUP, "supergroup")
    assert "I need these rights in this group: be an administrator, invite users via link, ban users" in not_admin.text
    standin.bot_rights[GROUP] = {"invite": True}
    no_ban = await fran.say_in_group("/link B3", GROUP, "supergroup")
    assert "I need these rights in this group: ban users." in no_ban.text
    stranger = ChatUser(standin, 1002, first_name="Bob")
    refused = await stranger.say_in_group("/link B3", GROUP, "supergroup")
    assert "Only the facilitators of Task Force B3" in refused.text
    assert "There is no Task Force Z9" in (await fran.say_in_group("/link Z9", GROUP, "supergroup")).text
    assert "in the Task Force's group" in (await fran.say("/link B3")).text
    assert running_bot.db is not None
    assert await running_bot.db.fetchone("SELECT 1 FROM group_links") is None  # nothing changed so far

    standin.bot_rights[GROUP] = FULL_RIGHTS
    done = await fran.say_in_group("/link B3 fr", GROUP, "supergroup")
    assert "https://t.me/+join1001" in done.text
    taken = await ChatUser(standin, ADMIN_ID).say_in_group("/link C1", GROUP, "supergroup")
    assert "already the group of Task Force B3" in taken.text
    channel = {"id": -2002, "type": "channel", "title": "News"}
    marker = len(standin.sent)
    post = message_update({"id": 1, "is_bot": False, "first_name": "x"}, "/link B3", chat=channel)["message"]
    del post["from"]  # a channel post has no sender
    await standin.push({"channel_post": post})
    said = await standin.wait_for(lambda s: s.chat_id == -2002, start=marker)
    assert "in the Task Force's group" in said.text

    row = await running_bot.db.fetchone("SELECT taskforce, invite_link, language FROM group_links")
    assert row is not None and tuple(row) == ("B3", "https://t.me/+join1001", "fr")
    card = await ChatUser(standin, 1001).say("/mytaskforces")
    opened = await ChatUser(standin, 1001).press("B3 · ")
    assert card and "Group chat: https://t.me/+join1001" in opened.text


async def test_members_are_let_in_and_welcomed_strangers_declined_once(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    await linked_b3(running_bot)
    ada, bob = ChatUser(standin, 1001, first_name="Ada"), ChatUser(standin, 1002, first_name="Bob")
    await standin.push(join_request_update(ada.user, GROUP, date=1_800_000_000))
    welcome = await standin.wait_for(lambda s: s.chat_id == GROUP and "Bienvenue" in s.text)
    assert welcome.text == "Bienvenue Ada Lovelace, Membre d'équipe, Afrique\u202f!"  # the group's language
    assert ("approve", GROUP, ada.id) in standin.group_calls
    await standin.push(join_request_update(bob.user, GROUP))
    told = await standin.wait_for(lambda s: s.chat_id == bob.id and "Only members of Task Force B3" in s.text)
    assert "https://t.me/taskforce_test_bot?start=join_B3" in told.text
    assert ("decline", GROUP, bob.id) in standin.group_calls
    await standin.push(join_request_update(ada.user, GROUP, date=1_800_000_000))  # delivered again
    await running_bot.settled()
    assert [call for call in standin.group_calls if call[2] == ada.id] == [("approve", GROUP, ada.id)]
    await standin.push(join_request_update(ada.user, GROUP, date=1_800_000_600))  # left by herself, back later
    await standin.wait_for(lambda s: standin.group_calls.count(("approve", GROUP, ada.id)) == 2)


async def test_leaving_withdrawal_and_forgetting_take_people_out_of_the_group(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    await linked_b3(running_bot)
    ada, cy = ChatUser(standin, 1001), ChatUser(standin, 1003)
    await ada.say("/leave B3")
    await ada.press("Leave B3")
    await standin.wait_for(lambda s: ("unban", GROUP, ada.id) in standin.group_calls)
    assert ("ban", GROUP, ada.id) in standin.group_calls
    await cy.say("/forget")
    await cy.press("Delete all my data")
    await standin.wait_for(lambda s: ("unban", GROUP, cy.id) in standin.group_calls)
    await running_bot.settled()
    assert running_bot.db is not None
    rows = await running_bot.db.fetchall("SELECT params FROM outbox WHERE kind = 'group_action'")
    assert rows and all(row["params"] is None for row in rows)  # nobody's id kept once done


async def test_a_lost_group_is_reported_and_its_link_no_longer_shown(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    fran = await linked_b3(running_bot)
    await standin.push(bot_member_update(GROUP, "administrator", invite=True, ban=False))
    told = await standin.wait_for(lambda s: s.chat_id == fran.id and "can no longer manage the group" in s.text)
    assert "/link B3" in told.text
    await standin.wait_for(lambda s: s.chat_id == ADMIN_ID and "can no longer manage the group" in s.text)
    await standin.push(bot_member_update(GROUP, "left"))  # told once, not again
    await running_bot.settled()
    assert len([s for s in standin.sent if s.chat_id == fran.id and "can no longer manage" in s.text]) == 1
    ada = ChatUser(standin, 1001)
    await ada.say("/mytaskforces")
    assert "Group chat" not in (await ada.press("B3 · ")).text
    marker = len(standin.group_calls)
    await standin.push(join_request_update(ada.user, GROUP))
    await running_bot.settled()
    assert standin.group_calls[marker:] == []


async def test_in_a_group_the_bot_answers_its_own_commands_only(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    fran = await linked_b3(running_bot)
    helped = await fran.say_in_group("/help", GROUP, "supergroup")
    assert "/link CODE" in helped.text
    pointed = await fran.say_in_group("/members", GROUP, "supergroup")
    assert "sent you the list in our private chat" in pointed.text
    listing = await standin.wait_for(lambda s: s.chat_id == fran.id and "Members of Task Force" in s.text)
    assert "Group chat: https://t.me/+join1001" in listing.text and "Ada Lovelace" in listing.text
    marker = len(standin.sent)
    for said in ("/join B3", "hello all"):  # neither addressed to the bot by name
        await standin.push(message_update(ChatUser(standin, 1001).user, said, chat=group(GROUP)))
    await running_bot.settled()
    assert [s for s in standin.sent[marker:] if s.chat_id == GROUP] == []
    unlinked = await fran.say_in_group("/unlink", GROUP, "supergroup")
    assert "no longer the group of Task Force B3" in unlinked.text


async def test_a_restart_between_request_and_decision_neither_loses_nor_repeats_it(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    database = tmp_path / "bot.sqlite3"
    db = await Database.open(database)
    await seed(db, *MEMBERS)
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO group_links (taskforce, chat_id, title, invite_link, language, linked_at)"
            " VALUES ('B3', ?, 'g', 'https://t.me/+x', 'en', '2026-11-29T00:00:00+00:00')",
            (GROUP,),
        )
    await db.close()
    process = await start_bot_process(standin, database)
    standin.keep_confirmed = True  # Telegram will deliver the request again to the next bot
    standin.delays["approveChatJoinRequest"] = 30  # the decision is in flight when the bot dies
    ada = ChatUser(standin, 1001)
    await standin.push(join_request_update(ada.user, GROUP, date=1_800_000_000))
    await asyncio.sleep(1.5)
    process.send_signal(signal.SIGKILL)
    await process.wait()
    standin.keep_confirmed = False
    standin.delays.clear()
    process = await start_bot_process(standin, database)
    try:
        await standin.wait_for(lambda s: ("approve", GROUP, ada.id) in standin.group_calls, timeout=20)
    finally:
        await stop(process)
    db = await Database.open(database)
    try:
        requests = await db.fetchall("SELECT * FROM join_requests")
        decisions = await db.fetchall("SELECT sent_at FROM outbox WHERE kind = 'group_action'")
    finally:
        await db.close()
    assert len(requests) == 1 and len(decisions) == 1 and decisions[0]["sent_at"] is not None


async def test_the_digest_names_who_left_the_group(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    fran = await linked_b3(running_bot)
    await running_bot.ticks()  # the digest clock starts
    ada = ChatUser(standin, 1001)
    await ada.say("/leave B3")
    await ada.press("Leave B3")
    running_bot.clock.advance(days=1)
    digest = await standin.wait_for(lambda s: s.chat_id == fran.id and "Left the Task Force" in s.text)
    assert 'Left the Task Force, and so its group: <a href="tg://user?id=1001">Ada Lovelace</a>.' in digest.text


async def test_a_quiet_group_follows_its_migration_and_can_be_unlinked_from_private(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    await seed(running_bot, *MEMBERS)
    fran = await facilitator_of_b3(standin)
    standin.bot_rights[GROUP] = FULL_RIGHTS
    await fran.say_in_group("/link B3 quiet", GROUP, "supergroup")
    migration = message_update(fran.user, "", chat=group(GROUP))
    del migration["message"]["text"]
    migration["message"]["migrate_to_chat_id"] = -1009
    await standin.push(migration)
    await running_bot.settled()
    ada = ChatUser(standin, 1001)
    await standin.push(join_request_update(ada.user, -1009))
    await standin.wait_for(lambda s: ("approve", -1009, ada.id) in standin.group_calls)
    await running_bot.settled()
    assert not [s for s in standin.sent if s.chat_id == -1009 and s.method == "sendMessage"]  # quiet: no welcome
    off = await fran.say("/link B3 off")
    assert "no longer the group of Task Force B3" in off.text
    assert running_bot.db is not None
    assert await running_bot.db.fetchone("SELECT 1 FROM group_links") is None
