"""Ids in URLs are ASCII numbers: ``/organizations/<int:org>`` must not read ``\\u0663`` as 3.

Werkzeug's ``int`` converter matches ``\\d+``, which in Python also matches other scripts' digits,
and ``int()`` then reads them (Arabic-Indic 3 is 3). Ours matches ASCII digits only, at most 18
of them (the store's ids are 64-bit integers); anything else is no route: a 404 problem.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter

__all__ = ["AsciiIntConverter", "init_app", "register_in_openapi"]

MAX_ID_DIGITS = 18


class AsciiIntConverter(IntegerConverter):
    regex = rf"[0-9]{{1,{MAX_ID_DIGITS}}}"


def init_app(app: Flask) -> None:
    """Before any route is added: every ``<int:...>`` then uses this converter."""
    app.url_map.converters["int"] = AsciiIntConverter


def register_in_openapi(api: Any) -> None:
    """The document keeps saying ``integer`` for such path parameters (flask-smorest)."""
    api.register_converter(AsciiIntConverter, lambda converter: {"type": "integer",
                                                                 "minimum": 0})
