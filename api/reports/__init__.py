"""Plain-text reports for people (the CLI's default output); JSON: ``api.schemas.answers``."""
