"""SQL only: the schema, its migrations, and a module per table (or tables read together) returning models."""
