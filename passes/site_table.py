"""The program's fault-site table: where in the source each run-time fault
can arise, so that the host names the source (runtime/abi.py's Site).

The table is the module attribute `gasync.fault_sites`, an array of
`[what, function, location]` string arrays; a site's id is its index, and
a fault's detail word carries it. Passes that plant fault sites
(gasync-fault-sites: spawns, awaits, suspended tasks; gasync-lower-block-on:
block_ons; gasync-guard-division: divisions) append to it; the driver reads
it (`read_sites`) and carries it to the host.
"""

from __future__ import annotations

from mlir import ir

from gasync.dialect.diagnostics import in_source, position
from gasync.runtime import abi

from . import frame as fr

SITES_ATTR = "gasync.fault_sites"
FUNCTION_OPS = ("func.func", "gpu.func", "llvm.func")
LOWERED_SUFFIXES = (fr.poll_name(""), fr.init_name(""))
"""What gasync-coro-lower appends to an async function's name for its poll
and init functions."""


def source_function(op: ir.Operation) -> str:
    """The source-level name of the function holding `op`: an async function's
    poll or init function is named after it."""
    parent = op
    while parent is not None and parent.name not in FUNCTION_OPS:
        parent = parent.parent
    if parent is None:
        return "<module>"
    name = ir.StringAttr(parent.attributes["sym_name"]).value
    for suffix in LOWERED_SUFFIXES:
        if name.endswith(suffix):
            return name[:-len(suffix)]
    return name


def read_sites(module: ir.Operation) -> tuple[abi.Site, ...]:
    """The site table of a module (empty when it has none)."""
    if SITES_ATTR not in module.attributes:
        return ()
    return tuple(abi.Site(*(ir.StringAttr(part).value for part in ir.ArrayAttr(entry)))
                 for entry in ir.ArrayAttr(module.attributes[SITES_ATTR]))


class SiteTable:
    """A module's site table while a pass appends to it; `write` stores it."""

    def __init__(self, module: ir.Operation, source_name: str):
        self.module = module
        self.source_name = source_name
        """What the parser's buffer name stands for (the diagnostics' source name)."""
        self.sites = list(read_sites(module))

    def add(self, what: str, function: str, loc: ir.Location) -> int:
        pos = in_source(position(loc), self.source_name)
        self.sites.append(abi.Site(what, function, str(pos)))
        return len(self.sites) - 1

    def write(self) -> None:
        if not self.sites:
            return
        with self.module.context:
            self.module.attributes[SITES_ATTR] = ir.ArrayAttr.get([
                ir.ArrayAttr.get([ir.StringAttr.get(part) for part in site.to_json()])
                for site in self.sites])
