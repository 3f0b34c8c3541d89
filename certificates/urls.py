"""URLs of the certificates app: ``pages`` under /, ``api`` under /api/v1/."""

pages: list = []

api_patterns: list = []
