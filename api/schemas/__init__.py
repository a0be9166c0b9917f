"""The marshmallow schemas of the API: the contract of every request and response.

The profile schema comes from the domain (``advisor/assessment.py``), so the API, the CLI and the
files accept exactly the same profiles; the simulation requests and every output schema live
here, one module per resource, outputs listing every field as required so the OpenAPI document
promises what is sent.
"""
