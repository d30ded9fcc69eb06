"""Parsing: episode text -> Episode (plain dataclasses)."""

from .model import Episode, Event, Skipped
from .parser import parse_episode, strip_markup

__all__ = ["Episode", "Event", "Skipped", "parse_episode", "strip_markup"]
