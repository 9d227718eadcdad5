"""Texts and keyboards built from models; no I/O."""
