"""`@gasync.kernel`: a plain `def` compiled to a `gpu.func` kernel.

    k.mlir()                       the gasync IR (kernel in gpu.module @kernels,
                                   the jit functions it reaches at the top level)
    k.ptx(), k.cubin()             compiled for `chip` (sm_90 unless given)
    k[grid, block](args)           launch (numpy copied in, back, and waited
    k[grid, block, stream](args)   for; CUDA arrays used in place, asynchronous
                                   on the stream): the runtime's Launch
    k.bundle(DIR, grid, block, args, expected=None)
                                   an ahead-of-time bundle: run it with
                                   `python -m gasync.runtime.bundle DIR` on a
                                   machine without MLIR

Compilation goes through `gasync.compile` (the GPU pipeline); its result is
cached per kernel and chip in memory.
"""

from __future__ import annotations

import os

import numpy as np

from . import api
from .types import ArrayType

DEFAULT_CHIP = "sm_90"
PTX86_OPS = ("mbarrier_init", "mbarrier_arrive", "mbarrier_arrive_expect_tx", "mbarrier_wait",
             "bulk_load", "bulk_store", "channel_init", "send", "recv", "release")


class KernelFunction(api._Function):
    def __init__(self, fn, options):
        super().__init__(fn, options)
        self._text: str | None = None
        self._compiled: dict = {}

    def __call__(self, *args):
        raise TypeError(f"a gasync.kernel is launched with a grid and a block: "
                        f"{self.__name__}[grid, block](args)")

    def __getitem__(self, config):
        if not isinstance(config, tuple) or len(config) not in (2, 3):
            raise TypeError(f"launch as {self.__name__}[grid, block](args) or "
                            f"{self.__name__}[grid, block, stream](args)")
        grid, block = config[0], config[1]
        stream = config[2] if len(config) == 3 else None
        return lambda *args: self.launch(grid, block, args, stream=stream)

    def __repr__(self) -> str:
        return f"<gasync.kernel {self.__qualname__}>"

    @property
    def params(self):
        from .host import signature_of
        return signature_of(self).params

    def mlir(self) -> str:
        if self._text is None:
            from .compiler import run_frontend
            self._text = run_frontend(lambda program: program.info(self))
        return self._text

    def compiled(self, chip: str = DEFAULT_CHIP):
        if chip not in self._compiled:
            import gasync
            from gasync.dialect.diagnostics import CompileError as DialectCompileError
            try:
                self._compiled[chip] = gasync.compile(self.mlir(), chip, name=self.__name__,
                                                      features=self.features)
            except DialectCompileError as e:
                raise api.CompileError(str(e)) from None
        return self._compiled[chip]

    def ptx(self, chip: str = DEFAULT_CHIP) -> str:
        return self.compiled(chip).ptx

    def cubin(self, chip: str = DEFAULT_CHIP) -> bytes:
        return self.compiled(chip).cubin

    @property
    def features(self) -> str:
        """The NVPTX features the kernel needs: PTX 8.6 for the mbarrier and
        bulk-copy instructions (channels use them too), else the default."""
        text = self.mlir()
        return "+ptx86" if any(f'"gasync.{op}"' in text for op in PTX86_OPS) else ""

    @property
    def symbol(self) -> str:
        compiled = self.compiled()
        (name,) = compiled.kernels
        return name

    def check_args(self, args) -> list:
        from .host import check_args
        return check_args(self, self.params, list(args), what="launch")

    def launch(self, grid, block, args, *, stream=None, chip: str = DEFAULT_CHIP):
        """Launch on `stream` (None: the device's default stream; a cuda.core
        Stream, an object with `__cuda_stream__`, a PyTorch or CuPy stream).
        With a numpy array among `args` it copies in, runs, copies back and
        waits; with device arrays only it returns at once. Returns the
        runtime's Launch (`synchronize()`, `elapsed_ms`)."""
        args = self._launch_args(args)
        if stream is not None:
            from gasync.runtime.launch import stream_handle
            stream_handle(stream)  # a TypeError before any compile or GPU work
        return self.compiled(chip)[self.symbol](grid, block, *args, stream=stream)

    def _launch_args(self, args) -> list:
        from .host import check_scalar
        params = self.params
        if len(args) != len(params):
            self.check_args(args)  # raises the located count error
        out = []
        for (name, t), value in zip(params, args):
            if isinstance(t, ArrayType):
                out.append(value)  # the launcher checks device arrays' dtypes and shapes
            else:
                out.append(check_scalar(self, name, t, value))
        return out

    def bundle(self, directory: str, grid, block, args, *, expected: list[str] | None = None,
               expect_exit: int = 0, chip: str = DEFAULT_CHIP) -> None:
        """Write an ahead-of-time bundle: the cubin, the launch and the arguments
        (`args`: numpy arrays, whose contents are the initial values, and scalars),
        with the expected output lines and exit code (3: a run-time fault)."""
        from gasync.runtime.bundle import Bundle, write_bundle

        args = self.check_args(args)
        compiled = self.compiled(chip)
        kernel = compiled.kernels[self.symbol]
        specs = []
        for (_, t), value in zip(self.params, args):
            if isinstance(t, ArrayType):
                specs.append(_array_spec(value, t))
            else:
                specs.append(repr(value) if not isinstance(value, bool) else str(int(value)))
        write_bundle(directory, Bundle(
            kernel=kernel.name, cubin=compiled.cubins[kernel.module], grid=_dim3(grid),
            block=_dim3(block), arg_types=list(kernel.arg_types), arg_specs=specs,
            expected=expected, expect_exit=expect_exit, chip=chip, module=kernel.module,
            source=f"{os.path.basename(self.fn.__code__.co_filename)}:{self.__name__}",
            cubin_name=f"{kernel.module}.cubin", sites=list(compiled.sites)))


def _array_spec(value: np.ndarray, t: ArrayType) -> str:
    """The `--arg` spec of an array's initial contents: `TYPE` when all zero,
    `TYPE=FILL` when all equal, else `TYPE=[v, ...]` (a log of a million
    zeros stays one short line)."""
    dims = "x".join(str(d) for d in value.shape)
    spec = f"memref<{dims}x{t.element.name}>"
    values = value.astype(np.int64 if t.element.is_int else np.float64)
    if values.size and (values == values.flat[0]).all():
        first = values.flat[0].item()
        return spec if first == 0 and not (t.element.is_float and np.signbit(first)) \
            else f"{spec}={first!r}"
    return f"{spec}={values.tolist()}"


def _dim3(d) -> tuple[int, int, int]:
    d = (d,) if isinstance(d, int) else tuple(d)
    return tuple(d) + (1,) * (3 - len(d))

