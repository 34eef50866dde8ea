"""`python -m benchmarks`: the entry point scripts/bench runs."""

from benchmarks.cli import main

raise SystemExit(main())
