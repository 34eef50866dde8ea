"""`python -m bco` is the same as the `bco` command."""

from bco.cli import main

main()
