"""The executor runtime: device library and host loader/launcher.

The host side imports only cuda.bindings and numpy, never mlir, so that it
runs on machines where MLIR is not installed (docs/design.md, "GPU runs").
"""
