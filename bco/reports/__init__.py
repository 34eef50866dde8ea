"""Printable case files (and later exports), shared by the CLI, the web and the API."""
