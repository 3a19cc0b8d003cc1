"""Cubin generation: nvJitLink turns PTX into a cubin (docs/design.md, sections 1 and 4).

The executor runtime library is linked as IR before LLVM optimisation (pass
`gasync-link-device-runtime`, pipeline/gpu.py), so that it inlines; this
stage links what is left: the PTX of each `gpu.module` and any extra user
objects (`--link FILE`: PTX, cubin, fatbin or LTO-IR), for one chip, with
cuda.core's Linker on nvJitLink. It needs no GPU.

`link_cubin` is the Python API; the pass `gasync-link-cubin` rewrites every
PTX object of every `gpu.binary` into a cubin object, so the result of the
`gasync-to-cubin` pipeline is a `gpu.binary` holding the cubin. An nvJitLink
failure becomes a located compiler error with nvJitLink's log as notes.
"""

from __future__ import annotations

import dataclasses
import os
import re

from mlir import ir
from mlir.dialects import gpu

from gasync.dialect.diagnostics import CompileError, DiagnosticEngine
from gasync.passes.base import ModulePass, PassContext, register

# gpu::CompilationTarget
FORMAT_OFFLOAD, FORMAT_ISA, FORMAT_BIN, FORMAT_FATBIN = 1, 2, 3, 4

_CHIP = re.compile(r"^sm_\d+[af]?$")


class LinkError(Exception):
    """nvJitLink refused the inputs; `log` holds its error log, line by line."""

    def __init__(self, message: str, log: list[str]):
        super().__init__(message)
        self.message = message
        self.log = log


@dataclasses.dataclass(frozen=True)
class LinkInput:
    name: str
    data: bytes
    kind: str  # "ptx", "cubin", "fatbin", "ltoir"


@dataclasses.dataclass(frozen=True)
class LinkResult:
    cubin: bytes
    info_log: str
    """nvJitLink's info log (ptxas resource usage when `verbose`)."""


def check_chip(chip: str) -> str:
    if not _CHIP.match(chip):
        raise LinkError(f"'{chip}' is not an NVIDIA chip name (expected sm_XY, e.g. sm_90)", [])
    return chip


def input_kind(name: str, data: bytes) -> str:
    """What an input file is, from its contents first, then its extension."""
    if data[:4] == b"\x7fELF":
        return "cubin"
    if data[:4] == bytes.fromhex("50ed55ba"):  # fatbin magic 0xBA55ED50, little-endian
        return "fatbin"
    ext = os.path.splitext(name)[1].lower()
    if ext in (".ltoir", ".lto", ".nvvm"):
        return "ltoir"
    if ext in (".fatbin", ".fatbinary"):
        return "fatbin"
    if ext == ".cubin":
        return "cubin"
    head = data[:4096].lstrip()
    if ext == ".ptx" or head.startswith((b"//", b".version", b".target")):
        return "ptx"
    return "ltoir" if data[:4] != b"" and not data[:64].isascii() else "ptx"


def read_link_inputs(paths: list[str]) -> list[LinkInput]:
    inputs = []
    for path in paths:
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            raise LinkError(f"cannot read link input '{path}': {e.strerror}", []) from None
        inputs.append(LinkInput(path, data, input_kind(path, data)))
    return inputs


_LOG_MARK = "nvJitLink error log:"


def _error_log(error: Exception, linker) -> list[str]:
    """nvJitLink's error log, line by line. A failure while adding an input
    happens in Linker's constructor, before there is a Linker to ask
    (`get_error_log`): cuda.core then puts the log in the exception's text."""
    text = ""
    if linker is not None:
        try:
            text = linker.get_error_log()
        except Exception:  # noqa: BLE001 - a log we cannot read is an empty log
            text = ""
    if not text.strip():
        text = str(error).partition(_LOG_MARK)[2]
    return [line for line in text.replace("\x00", "").splitlines() if line.strip()]


def link_cubin(ptx: bytes | str, chip: str = "sm_90", links: list[LinkInput] | list[str] = (),
               *, ptx_name: str = "gasync.ptx", opt_level: int = 3,
               verbose: bool = False) -> LinkResult:
    """PTX (+ extra objects) -> cubin for `chip`, with cuda.core's Linker on
    nvJitLink (`LinkerOptions(arch=...)`: no GPU or driver needed). Raises LinkError."""
    try:
        from cuda.core import Linker, LinkerOptions, ObjectCode
    except Exception as e:  # noqa: BLE001
        raise LinkError(f"nvJitLink is not available ({type(e).__name__}: {e}); install "
                        "cuda-core and nvidia-nvjitlink", []) from None
    check_chip(chip)
    if isinstance(ptx, str):
        ptx = ptx.encode()
    inputs = [LinkInput(ptx_name, ptx, "ptx")]
    inputs += read_link_inputs(list(links)) if links and isinstance(links[0], str) else list(links)
    readers = {"ptx": ObjectCode.from_ptx, "cubin": ObjectCode.from_cubin,
               "fatbin": ObjectCode.from_fatbin, "ltoir": ObjectCode.from_ltoir}
    options = LinkerOptions(arch=chip, optimization_level=opt_level, verbose=verbose or None,
                            link_time_optimization=any(i.kind == "ltoir" for i in inputs) or None)
    linker = None
    step = "add the inputs"
    try:
        linker = Linker(*[readers[i.kind](i.data, name=i.name) for i in inputs], options=options)
        step = "complete"
        cubin = linker.link("cubin")
        return LinkResult(bytes(cubin.code), linker.get_info_log() if verbose else "")
    except Exception as e:  # noqa: BLE001 - nvJitLinkError, or cuda.core's own checks
        first = str(e).partition(_LOG_MARK)[0].strip().splitlines()
        raise LinkError(f"nvJitLink failed to link for {chip} ({step}: "
                        f"{first[0] if first else type(e).__name__})",
                        _error_log(e, linker)) from None
    finally:
        if linker is not None:
            linker.close()


def link_or_report(name: str, ptx: bytes | str, loc, chip: str, inputs: list[LinkInput],
                   diags: DiagnosticEngine) -> bytes:
    """The cubin of gpu.module `name` (at `loc`); a located error with nvJitLink's
    log as notes, then CompileError, when it does not link."""
    try:
        return link_cubin(ptx, chip, inputs, ptx_name=f"{name}.ptx").cubin
    except LinkError as e:
        diags.error(loc, f"cubin generation failed for gpu.module @{name}: {e.message}",
                    [(loc, line) for line in e.log])
        raise CompileError() from None


# The pass ------------------------------------------------------------------

def _object_chip(obj: gpu.ObjectAttr, default: str) -> str:
    m = re.search(r'chip\s*=\s*"([^"]+)"', str(obj.target))
    return m.group(1) if m else default


@register
@dataclasses.dataclass(frozen=True)
class LinkCubinPass(ModulePass):
    name = "gasync-link-cubin"
    summary = ("link the PTX of every gpu.binary (and the objects named by link=a,b) into a "
               "cubin with nvJitLink")
    chip: str = ""
    """The target chip; empty: the chip of each object's #nvvm.target."""
    link: str = ""
    """Comma-separated extra objects (PTX, cubin, fatbin, LTO-IR)."""

    def apply(self, module: ir.Operation, ctx: PassContext) -> None:
        links = [p for p in self.link.split(",") if p]
        try:
            inputs = read_link_inputs(links)
        except LinkError as e:
            ctx.diags.error(module.location, e.message)
            return
        for op in list(module.regions[0].blocks[0].operations):
            op = op.operation
            if op.name != "gpu.binary":
                continue
            name = ir.StringAttr(op.attributes["sym_name"]).value
            objects = []
            for attr in ir.ArrayAttr(op.attributes["objects"]):
                obj = gpu.ObjectAttr(attr)
                if obj.format != FORMAT_ISA:
                    objects.append(attr)
                    continue
                chip = self.chip or _object_chip(obj, "sm_90")
                cubin = link_or_report(name, obj.object, op.location, chip, inputs, ctx.diags)
                objects.append(gpu.ObjectAttr.get(obj.target, FORMAT_BIN, cubin,
                                                  obj.properties, obj.kernels))
                ctx.stat(self.name, "cubins linked", 1)
            op.attributes["objects"] = ir.ArrayAttr.get(objects)


def binary_objects(module: ir.Operation) -> dict[str, list[gpu.ObjectAttr]]:
    """Every gpu.binary of `module`, by symbol name, with its objects."""
    found = {}
    for op in module.regions[0].blocks[0].operations:
        op = op.operation
        if op.name == "gpu.binary":
            name = ir.StringAttr(op.attributes["sym_name"]).value
            found[name] = [gpu.ObjectAttr(a) for a in ir.ArrayAttr(op.attributes["objects"])]
    return found
