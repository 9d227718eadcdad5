"""SQL only: the schema, its migrations and the repositories that return models."""
