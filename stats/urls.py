"""URLs of the stats app: ``pages`` under /, ``api_patterns`` under /api/v1/."""

pages: list = []
api_patterns: list = []
