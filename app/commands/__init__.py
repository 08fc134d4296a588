"""CLI command groups: thin wrappers that parse, call services, commit and echo."""
