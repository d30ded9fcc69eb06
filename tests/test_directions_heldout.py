"""Honest measurement of the direction rules: share understood on episodes never tuned on.

The split was fixed before the rules were rewritten and the held-out files were never read
while tuning: rules are tuned on TUNING only; HELD_OUT measures how they generalise.
"""

from __future__ import annotations

TUNING = ("04", "26", "33", "36")
HELD_OUT = ("05", "30", "46")
