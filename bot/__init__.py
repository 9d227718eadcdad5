"""Telegram bot of the "4 per 1000" Initiative's Task Forces."""
