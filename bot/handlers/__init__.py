"""Telegram glue: read an update, call a service, render the reply."""
