"""Interview guides: YAML data, a validator, and a pure engine that leads a tracer's call."""
