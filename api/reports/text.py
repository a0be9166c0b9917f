"""Small text helpers shared by the reports."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

__all__ = ["bar", "wrap", "fmt_value", "fmt_evidence", "heading"]


def bar(fraction: float, width: int = 24) -> str:
    filled = max(0, min(width, round(fraction * width)))
    return "#" * filled + "." * (width - filled)


def wrap(text: str, indent: int = 4, width: int = 96) -> str:
    pad = " " * indent
    return textwrap.fill(text, width=width, initial_indent=pad, subsequent_indent=pad)


def fmt_value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def fmt_evidence(evidence: Mapping[str, Any]) -> str:
    return ", ".join(f"{k} = {fmt_value(v)}" for k, v in evidence.items())


def heading(title: str) -> str:
    return f"\n{title}\n{'-' * len(title)}"
