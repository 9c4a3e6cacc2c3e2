"""SHACL validation: the report, the shapes and the engines."""
