"""Pages for assessment cycles: fill the questionnaire (one rater at a time, each section saved
as you go), see a cycle's combined profile, and an organization's history.

Like the other pages they are shells: the script calls the JSON API (``/api/v1/organizations``
...), so a page shows exactly what the API answers and an API key protects the data alike.
"""

from __future__ import annotations

from flask import Blueprint, Flask, render_template, request

__all__ = ["init_app", "NAV"]

blp = Blueprint("memory_pages", __name__)

#: the pages in the navigation bar (api/http/pages.py adds them to its own)
NAV = (("memory_pages.assess", "Assess"), ("memory_pages.organizations", "History"))


@blp.route("/assess")
def assess() -> str:
    """The questionnaire; ``?organization=ID&pmo=ID`` (the links from a PMO's history and an
    open cycle) chooses the organization and the PMO whose cycle the answers go to (without
    ``pmo``, the organization's default PMO)."""
    return render_template("assess.html", org=request.args.get("organization", type=int),
                           pmo=request.args.get("pmo", type=int))


@blp.route("/organizations")
def organizations() -> str:
    return render_template("organizations.html")


@blp.route("/organizations/<int:org>/assessments/<int:number>")
def cycle(org: int, number: int) -> str:
    return render_template("cycle.html", org=org, number=number)


@blp.route("/organizations/<int:org>/history")
def history(org: int) -> str:
    """The default PMO's history; ``?pmo=ID`` another PMO's."""
    return render_template("history.html", org=org, pmo=request.args.get("pmo", type=int))


def init_app(app: Flask) -> None:
    app.register_blueprint(blp)
