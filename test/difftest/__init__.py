"""Differential testing of gasync's CPU pipeline (issue 3, item 4).

`generate` builds seeded random gasync programs (a small Python AST that
prints as MLIR text), `interp` runs that AST with gasync's semantics, and
`run` compiles each program on the CPU and compares the two.
"""
