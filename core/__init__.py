"""The kernel every app stands on and none owns; it imports no domain app."""
