"""Argument types for the command line: whole numbers as people type them, nothing else.

``int()`` reads other scripts' digits (Arabic-Indic ``\\u0663`` is 3) and refuses strings over
4,300 digits with an error that argparse would echo in full; a number on our command line is at
most 19 ASCII digits (seeds reach 2^63 - 1), with an optional minus sign.
"""

from __future__ import annotations

import argparse
import re

from advisor.validation import excerpt

__all__ = ["whole"]

_WHOLE = re.compile(r"-?[0-9]{1,19}", re.ASCII)


def whole(text: str) -> int:
    """An argparse ``type``: a whole number in ASCII digits."""
    if not _WHOLE.fullmatch(text.strip()):
        raise argparse.ArgumentTypeError(f"must be a whole number, got '{excerpt(text)}'")
    return int(text.strip())
