"""pmo-advisor's delivery layer, and its front door for library users.

``api.service`` holds every operation as a typed function; ``api.reports`` renders results as
text; ``api.schemas`` states each answer's JSON shape once; ``api.http`` serves them over HTTP
with pages; ``api.cli`` is the ``pmo-advisor`` command. From Python::

    from api import diagnose, recommend, simulate, compare, tell_story
"""

from api.service import (
                         catalog_counts,
                         catalog_items,
                         compare,
                         diagnose,
                         recommend,
                         shipped,
                         simulate,
                         tell_story,
)

__all__ = ["diagnose", "recommend", "simulate", "compare", "tell_story", "catalog_counts",
           "catalog_items", "shipped"]
