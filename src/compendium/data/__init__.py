"""Source and data: the source model, the coded tables and their validation."""
