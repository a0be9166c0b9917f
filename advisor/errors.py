"""Errors of pmo-advisor, one base class so callers can catch them all (as SimPy does)."""

from __future__ import annotations

__all__ = ["PmoAdvisorError", "InputError", "CatalogError", "EngineError"]


class PmoAdvisorError(Exception):
    """Base class of every error pmo-advisor raises on purpose."""


class InputError(PmoAdvisorError):
    """Bad user input: names the field, what is wrong and what is allowed.

    ``problems`` keeps every field-level message (the API returns them all); ``str()`` gives
    the first one as a single readable line (the CLI prints it).
    """

    def __init__(self, problems: list[tuple[str, str]] | str, field: str = "") -> None:
        if isinstance(problems, str):
            problems = [(field, problems)]
        self.problems: list[tuple[str, str]] = list(problems) or [("", "invalid input")]
        super().__init__(self.line)

    @property
    def field(self) -> str:
        return self.problems[0][0]

    @property
    def line(self) -> str:
        field, message = self.problems[0]
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        # a message that starts with its field's name says it once ("runs must be ...")
        named = not field or message.startswith((f"{field} ", f"{field}:"))
        return f"{message}{more}" if named else f"{field}: {message}{more}"


class CatalogError(PmoAdvisorError):
    """A shipped data file (catalog, rule table) is inconsistent: a bug, caught by the tests."""


class EngineError(PmoAdvisorError):
    """The rules engine failed to evaluate a fact."""
