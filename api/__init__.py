"""gasync: async/await for NVIDIA GPUs as an MLIR dialect and compiler pipeline."""

from gasync.runtime.errors import RuntimeFault  # MLIR-free: the GPU machine imports it

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


def __getattr__(name: str):
    if name == "CompileError":  # the error `compile` raises; needs MLIR, so imported lazily
        from gasync.pipeline.driver import ProgramError

        return ProgramError
    raise AttributeError(f"module 'gasync' has no attribute '{name}'")
