"""URLs of the integrity app: ``pages`` under /, ``api_patterns`` under /api/v1/."""

pages: list = []
api_patterns: list = []
