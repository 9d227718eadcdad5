"""The public site's HTTP side: its own aiohttp server, separate from the bot's private one (bot/chat/http.py)."""
