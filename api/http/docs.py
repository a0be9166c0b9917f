"""GET /docs: interactive API documentation (Swagger UI) served from the package itself.

Swagger UI is vendored in ``api/vendor/swagger-ui`` (see its README.txt), so the docs work on a
machine without internet access; it reads the live document at ``/openapi.json``.
"""

from __future__ import annotations

from flask import Blueprint, Flask, render_template

__all__ = ["init_app"]

blp = Blueprint("docs", __name__, static_folder="vendor/swagger-ui",
                static_url_path="/docs/swagger-ui")


@blp.route("/docs")
def docs() -> str:
    return render_template("docs.html")


def init_app(app: Flask) -> None:
    app.register_blueprint(blp)
