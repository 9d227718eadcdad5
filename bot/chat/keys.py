"""The persistent conversation's states and the user-data keys its handlers share."""

JOINING, EDITING, REASON, BROADCASTING = "joining", "editing", "reason", "broadcasting"
DRAFT_KEY, EDITING_KEY, REJECTING_KEY = "join", "editing", "rejecting"
# The announcement being written (its broadcast id) while the conversation is in BROADCASTING.
WRITING_KEY = "broadcast"
# The id of the last update whose answer changed the user data: redelivered after a kill, it is skipped.
APPLIED_KEY = "applied_update"
