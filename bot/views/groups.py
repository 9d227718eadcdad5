"""Texts of the task forces' group chats: linking, the welcome, a declined request, a broken link."""

from __future__ import annotations

from html import escape

from bot.i18n import Translate
from bot.models import Catalogue, Role
from bot.storage.groups import GroupLink
from bot.views.words import role_label


def linked(_: Translate, link: GroupLink, catalogue: Catalogue) -> str:
    objective = catalogue.objective(link.taskforce)
    title = escape(objective.title(_.language)) if objective else ""
    return _(
        "This group is now the group of Task Force <b>{code}</b> · {title}. Its members get the invite link "
        "from me, and I let in only them; whoever leaves the Task Force leaves the group too.\n"
        "Invite link: {link}"
    ).format(code=link.taskforce, title=title, link=escape(link.invite_link or ""))


def unlinked(_: Translate, code: str) -> str:
    return _("This group is no longer the group of Task Force {code}; I let nobody in any more.").format(code=code)


def link_usage(_: Translate) -> str:
    return _(
        "Write /link followed by the Task Force's code, and optionally the group's language and quiet "
        "(no welcome for each new member): /link B3, /link B3 fr, /link B3 fr quiet."
    )


def group_help(_: Translate) -> str:
    return _(
        "<b>In a Task Force's group</b>\n"
        "/link CODE [en|fr|es] [quiet] · make this the group of a Task Force (its facilitators and the Secretariat)\n"
        "/unlink · undo it\n"
        "/members · the members, sent to you privately (facilitators and the Secretariat)\n"
        "/help · this list\n"
        "Everything else happens in the private chat with me."
    )


def members_sent(_: Translate) -> str:
    return _("I have sent you the list in our private chat.")


def welcome(_: Translate, name: str, role: Role, region: str, catalogue: Catalogue) -> str:
    return _("Welcome {name}, {role}, {region}!").format(
        name=escape(name), role=role_label(_, role), region=escape(catalogue.label_of(region, _.language))
    )


def declined(_: Translate, code: str, bot_username: str) -> str:
    return _(
        "Only members of Task Force {code} can enter its group. Join the Task Force first: "
        "https://t.me/{bot}?start=join_{code} — then ask again with the group's link."
    ).format(code=code, bot=bot_username)


def broken(_: Translate, code: str) -> str:
    return _(
        "I can no longer manage the group of Task Force {code}: I was removed or lost my rights there. "
        "Make me an administrator again, with the rights to invite users and ban users, and write /link {code} "
        "in the group."
    ).format(code=code)


def groups_refusals(_: Translate) -> dict[str, str]:
    """Linking a group to a task force, and the commands of a linked group, saying no."""
    return {
        "link_in_group": _(
            "Write /link in the Task Force's group, after adding me there as an administrator "
            "with the rights to invite users and ban users."
        ),
        "group_taken": _("This group is already the group of Task Force {code}; /unlink there first."),
        "group_rights": _("I need these rights in this group: {rights}. Give them to me, then write /link again."),
        "no_group": _("Task Force {code} has no group."),
        "not_linked": _("This group is not the group of a Task Force."),
    }
