"""BCO: event-sourced contact-tracing interviews."""
