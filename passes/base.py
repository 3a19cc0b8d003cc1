"""The pass protocol and the registry from pass name to pass class.

A gasync pass is a small frozen dataclass with a kebab-case `name`, a
one-line `summary`, its options as typed fields, and one entry point,
`apply(module, ctx)`. It runs inside an MLIR PassManager (so IR printing,
timing and verification after each pass come from MLIR), mixed freely with
upstream passes named by their textual names.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import ClassVar

from mlir import ir

from gasync.dialect.diagnostics import DiagnosticEngine


@dataclasses.dataclass
class PassContext:
    """What passes share while a pipeline runs."""

    diags: DiagnosticEngine
    allow_unregistered: bool = False
    statistics: dict[str, dict[str, int]] = dataclasses.field(default_factory=dict)
    state_machines: list | None = None
    """When a list, gasync-coro-lower appends the description of each async
    function it lowers (passes/state_machine_graph.py), for a picture of it."""

    def stat(self, pass_name: str, key: str, value: int) -> None:
        bucket = self.statistics.setdefault(pass_name, {})
        bucket[key] = bucket.get(key, 0) + value


@dataclasses.dataclass(frozen=True)
class ModulePass:
    """Options are the dataclass fields; an int field whose metadata has
    `range: (low, high)` takes only values in it (checked however the pass
    is built: from a pipeline's text or in Python)."""

    name: ClassVar[str]
    summary: ClassVar[str]

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            if "range" not in field.metadata:
                continue
            low, high = field.metadata["range"]
            value = getattr(self, field.name)
            if not low <= value <= high:
                raise ValueError(f"option '{field.name.replace('_', '-')}' of '{self.name}' "
                                  f"takes an integer in [{low}, {high}], got {value}")

    def apply(self, module: ir.Operation, ctx: PassContext) -> None:
        raise NotImplementedError

    @classmethod
    def options(cls) -> list[dataclasses.Field]:
        return list(dataclasses.fields(cls))

    @classmethod
    def from_options(cls, text: str) -> "ModulePass":
        """Build the pass from `key=value key2=value2` (the text inside `{}`)."""
        hints = typing.get_type_hints(cls)
        fields = {f.name.replace("_", "-"): f for f in cls.options()}
        kwargs = {}
        for item in text.split():
            key, eq, value = item.partition("=")
            if key not in fields:
                known = ", ".join(fields) or "none"
                raise ValueError(f"pass '{cls.name}' has no option '{key}' (options: {known})")
            field = fields[key]
            kind = hints[field.name]
            if kind is bool:
                if eq and value not in ("true", "false", "1", "0"):
                    raise ValueError(f"option '{key}' of '{cls.name}' takes true or false")
                kwargs[field.name] = (not eq) or value in ("true", "1")
            elif kind is int:
                try:
                    kwargs[field.name] = int(value, 0)
                except ValueError:
                    raise ValueError(f"option '{key}' of '{cls.name}' takes an integer, "
                                     f"got '{value}'") from None
            else:
                kwargs[field.name] = value
        return cls(**kwargs)


PASSES: dict[str, type[ModulePass]] = {}


def register(cls: type[ModulePass]) -> type[ModulePass]:
    assert cls.name not in PASSES, cls.name
    PASSES[cls.name] = cls
    return cls
