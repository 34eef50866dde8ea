"""`python -m benchmarks`: the entry point scripts/bench runs."""

from benchmarks.cli import main

if __name__ == "__main__":  # a rebuild helper process (spawn) imports this module again
    raise SystemExit(main())
