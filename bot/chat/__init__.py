"""The Telegram side shared by every feature: wiring, replies, menus, the sender, persistence."""
