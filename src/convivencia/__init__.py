"""Convivencia: citizen security dialogues platform."""

__version__ = "0.1.0"
