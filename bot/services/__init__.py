"""The rules of the bot. Nothing here imports `telegram`."""
