"""Plain-text reports for people (the CLI's default output); JSON comes from ``to_dict()``."""
