"""Service layer: typed functions holding the domain logic; they flush, never commit."""
