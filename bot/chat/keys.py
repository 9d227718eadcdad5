"""The persistent conversation's states, the user-data keys its handlers share, and how a flow ends the others."""

JOINING, EDITING, REASON, BROADCASTING = "joining", "editing", "reason", "broadcasting"
DRAFT_KEY, EDITING_KEY, REJECTING_KEY = "join", "editing", "rejecting"
# The announcement being written (its broadcast id) while the conversation is in BROADCASTING.
WRITING_KEY = "broadcast"
# The id of the last update whose answer changed the user data, and when (ISO text): redelivered after a
# kill, it is skipped (services/redelivery.py says for how long).
APPLIED_KEY, APPLIED_AT_KEY = "applied_update", "applied_at"
FLOW_KEYS = (DRAFT_KEY, EDITING_KEY, REJECTING_KEY, WRITING_KEY)


def end_flows(user_data: dict[object, object] | None) -> None:
    """Starting or ending a flow ends whatever other flow the person was in: one flow at a time."""
    if user_data is not None:
        for key in FLOW_KEYS:
            user_data.pop(key, None)
