"""Reports for the health authority: case files and exports, shared by the CLI, web and API."""
