"""Op definitions, one module per family; :mod:`teachflow.ops.registry` holds the table."""
