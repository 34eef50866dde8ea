"""Errors the guide package raises, and where in a guide file a problem sits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

PathKey = tuple[str | int, ...]


class GuideError(ValueError):
    """A guide file is invalid; `messages` says where (file:line: path) and what is expected."""

    def __init__(self, messages: Sequence[str]) -> None:
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


class FactError(ValueError):
    """A contact fact is unknown to the guide or has the wrong type; `fact` names it."""

    def __init__(self, fact: str, message: str) -> None:
        self.fact = fact
        super().__init__(message)


@dataclass(frozen=True)
class Location:
    """Maps a path inside a guide to the file and line where an author can fix it."""

    file: str
    lines: Mapping[PathKey, int]

    def line(self, path: PathKey) -> int:
        """Return the line of `path`, or of its nearest ancestor written in the file."""
        for length in range(len(path), -1, -1):
            found = self.lines.get(path[:length])
            if found is not None:
                return found
        return 1

    @staticmethod
    def format_path(path: PathKey) -> str:
        """Write a path the way authors read it: sections[2].questions[0].show_if."""
        text = ""
        for part in path:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
        return text or "(guide)"

    def message(self, path: PathKey, problem: str) -> str:
        """Format one problem as `file:line: path: problem`."""
        return f"{self.file}:{self.line(path)}: {self.format_path(path)}: {problem}"
