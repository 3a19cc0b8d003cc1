"""gasync: async/await for NVIDIA GPUs as an MLIR dialect and compiler pipeline."""

__version__ = "0.1.0"


def compile(module_or_text, target: str = "sm_90", **options):  # noqa: A001
    """Compile gasync IR for an NVIDIA GPU: a `CompiledModule` (see gasync.pipeline.compiled).

    Imported lazily: `import gasync` needs no MLIR (the GPU machine imports
    gasync.runtime without it).
    """
    from gasync.pipeline.compiled import compile as _compile

    return _compile(module_or_text, target, **options)


# The Python frontend (gasync.frontend): `gasync.jit`, `gasync.block_on`,
# `gasync.i32`, ... resolved on first access, so `import gasync` stays light.
def __getattr__(name):
    import importlib

    frontend = importlib.import_module("gasync.frontend")
    if name in frontend.__all__:
        return getattr(frontend, name)
    raise AttributeError(f"module 'gasync' has no attribute '{name}'")
