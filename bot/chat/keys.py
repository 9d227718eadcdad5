"""The persistent conversation's states and the user-data keys its handlers share."""

JOINING, EDITING, REASON = "joining", "editing", "reason"
DRAFT_KEY, EDITING_KEY, REJECTING_KEY = "join", "editing", "rejecting"
