# A downstream project's lit suite, as docs/embedding.md shows it: its tools
# come from gasync.tools.lit_support alone. lit runs it as a suite of its own
# when it runs test/ (`make test`), or alone: `lit test/downstream`.

import os

import lit.formats

from gasync.tools import lit_support

config.name = "downstream"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(os.path.abspath(__file__))
config.test_exec_root = config.test_source_root
# No gasync tool on PATH: what runs is what the substitutions name.
config.environment["PATH"] = os.defpath

lit_support.configure(config)
