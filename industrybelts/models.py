"""Industry belts, bases and service providers (built by the belts issue)."""
