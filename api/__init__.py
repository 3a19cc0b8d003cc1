"""gasync: async/await for NVIDIA GPUs as an MLIR dialect and compiler pipeline."""

# MLIR-free: the GPU machine imports them. CompileError is the base of every
# compile error (a program in IR, or Python the frontend rejects).
from gasync.runtime.errors import InvalidProgram as CompileError, RuntimeFault

__version__ = "0.1.0"


def compile(module_or_text, target: str = "sm_90", **options):  # noqa: A001
    """Compile gasync IR (text, or an ir.Module left untouched) for `target`:
    "cpu" gives a `CpuModule` whose public functions Python calls; an NVIDIA
    chip ("sm_90", the default) gives a `CompiledModule` of launchable kernels
    (see gasync.pipeline.compiled and docs/api.md).

    Imported lazily: `import gasync` needs no MLIR (the GPU machine imports
    gasync.runtime without it).
    """
    from gasync.pipeline.compiled import compile as _compile

    return _compile(module_or_text, target, **options)


# The Python frontend (gasync.frontend): `gasync.jit`, `gasync.block_on`,
# `gasync.i32`, ... resolved on first access, so `import gasync` stays light
# (the frontend imports MLIR only when it compiles).
def __getattr__(name: str):
    import importlib

    frontend = importlib.import_module("gasync.frontend")
    if name in frontend.__all__:
        return getattr(frontend, name)
    raise AttributeError(f"module 'gasync' has no attribute '{name}'")
