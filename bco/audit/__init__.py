"""Who read which personal data: the access log in the shared store, and what stands out in it.

It is not a read model (a rebuild must not forget who read what) and not events of the cases
(a read is not a fact about the case, and reads would swell every stream). It is one
append-only table beside the event store's own, so every node writes to, and sees, one log.
"""
