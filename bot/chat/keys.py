"""The persistent conversation's states and the user-data keys its handlers share."""

JOINING, EDITING, REASON, BROADCASTING = "joining", "editing", "reason", "broadcasting"
DRAFT_KEY, EDITING_KEY, REJECTING_KEY = "join", "editing", "rejecting"
# The announcement being written (its broadcast id) while the conversation is in BROADCASTING.
WRITING_KEY = "broadcast"
# The id of the last update whose answer changed the user data, and when (ISO text): redelivered after a
# kill, it is skipped (services/redelivery.py says for how long).
APPLIED_KEY, APPLIED_AT_KEY = "applied_update", "applied_at"
