"""Errors a maintainer or practitioner can act on."""

from __future__ import annotations

from dataclasses import dataclass

from bot.safety import danger_line


@dataclass(frozen=True)
class PackProblem:
    """One thing wrong in a pack: where it is and what is wrong."""

    file: str
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        return f"{where}: {self.message}"


class PackError(Exception):
    """A pack failed validation. Nothing from it is loaded."""

    def __init__(self, problems: list[PackProblem]):
        self.problems = problems
        shown = "\n".join(f"  - {p}" for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s) in the knowledge packs:\n{shown}{more}")


class UnknownAreaError(LookupError):
    """An area we do not cover. The message names the areas we do."""

    def __init__(self, asked: str, covered: list[tuple[str, str]]):
        self.asked = asked
        self.covered = covered
        names = ", ".join(f"{name} ({area_id})" for area_id, name in covered)
        super().__init__(
            f"'{asked}' is not an area we cover. Covered areas: {names}. "
            "For anywhere else contact your local children's social care. "
            f"{danger_line()}"
        )
