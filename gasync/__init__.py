"""gasync: async/await for NVIDIA GPUs as an MLIR dialect and compiler pipeline."""

__version__ = "0.1.0"
