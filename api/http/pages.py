"""Pages for people: strategists running what-ifs and trainers telling scenario stories.

The pages are thin: Flask serves an HTML shell and a script from this package (no CDN), and the
script calls the same JSON API as any client, so a page shows exactly what the API answers. Charts
are SVG drawn by ``static/charts.js``.
"""

from __future__ import annotations

from flask import Blueprint, Flask, render_template

from advisor import __version__
from rules.diagnosis_table import load_diagnosis_table

__all__ = ["init_app"]

blp = Blueprint("pages", __name__)

#: the pages in the navigation bar, in order: (endpoint, label)
NAV = (("pages.diagnose", "Diagnose"), ("pages.simulate", "Simulate"),
       ("pages.stories", "Stories"), ("memory_pages.assess", "Assess"),
       ("memory_pages.organizations", "History"))
#: the home page's cards for the pages beyond Diagnose: (endpoint, label, what it is for)
CARDS = (
    ("memory_pages.assess", "Assess your PMO",
     "Answer the questionnaire with colleagues and customers; close the cycle for the diagnosis "
     "and the plan, then simulate the plan and keep the run in the PMO's history."),
    ("pages.simulate", "Simulate and compare",
     "Run strategies forward from a PMO, with random shocks or scheduled ones, and see momentum, "
     "indicators and the chances of Thriving or a shutdown side by side."),
    ("pages.stories", "Stories",
     "Scripted journeys, from crisis to resurgence and more, told month by month with the "
     "rules behind every change of scenario, and presented full screen to a room: material "
     "for training."),
)


@blp.app_context_processor
def _navigation() -> dict[str, object]:
    return {"pages_nav": NAV, "home_cards": CARDS}


@blp.route("/")
def home() -> str:
    return render_template("home.html", version=__version__,
                           ruleset_version=load_diagnosis_table().version)


@blp.route("/diagnose")
def diagnose() -> str:
    return render_template("diagnose.html")


@blp.route("/simulate")
def simulate() -> str:
    return render_template("simulate.html")


@blp.route("/stories")
def stories() -> str:
    return render_template("stories.html")


@blp.route("/stories/<string:story_id>")
def story(story_id: str) -> str:
    return render_template("story.html", story_id=story_id)


@blp.route("/stories/<string:story_id>/present")
def present(story_id: str) -> str:
    """The story for a room: one full-screen slide per moment, driven by keyboard or clicker.

    Its own layout (no site header, type sized from the viewport) because a projector at
    1920x1080 seen from the back of a room needs 28 px body text, not the desk pages' 16 px.
    """
    return render_template("present.html", story_id=story_id)


def init_app(app: Flask) -> None:
    app.register_blueprint(blp)
