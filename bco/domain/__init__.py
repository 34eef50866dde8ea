"""The pure domain: aggregates and their events, no I/O and no clock."""
