"""The HTTP API and pages of pmo-advisor: ``create_app()`` builds the Flask application.

``pmo-advisor serve`` runs it under a production server (``api/server.py``); tests call
``create_app({...})`` with their own settings.
"""

from api.http.app import create_app

__all__ = ["create_app"]
