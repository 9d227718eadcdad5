"""The user-data keys more than one feature reads, and how a flow ends the others.

Each flow keeps its own state name and user-data key in its handler module; what is not a
flow's is named here.
"""

# A join in progress: its draft (the system feature offers to carry on with it).
DRAFT_KEY = "join"
# The id of the last update whose answer changed the user data, and when (ISO text): redelivered after a
# kill, it is skipped (services/redelivery.py says for how long).
APPLIED_KEY, APPLIED_AT_KEY = "applied_update", "applied_at"
NOT_A_FLOW = frozenset({APPLIED_KEY, APPLIED_AT_KEY})


def end_flows(user_data: dict[object, object] | None) -> None:
    """Starting or ending a flow ends whatever other flow the person was in: one flow at a time.

    Everything in the user data but the applied marks is a flow's, so a new flow's key needs no listing."""
    if user_data is not None:
        for key in [key for key in user_data if key not in NOT_A_FLOW]:
            del user_data[key]
