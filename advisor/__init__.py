"""pmo-advisor: diagnose, advise and simulate PMO strategy with the PMO Value Ring framework.

Built on PMI's *Project Management Offices: A Practice Guide*; the guide's names, counts and
mappings live in ``advisor/data`` with their page references.
"""

__version__ = "0.1.0"
