# lit configuration for gasync's FileCheck tests.
#
# RUN lines name the tools plainly (gasync-opt, gasync-run, filecheck, not):
# the tools are found on PATH, with the virtual environment that runs lit
# (and the repository's .venv) put first so that a bare `lit test` works
# wherever the repository is cloned. `not` is lit's internal-shell builtin.

import os
import shutil
import sys

import lit.formats

config.name = "gasync"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir"]
config.excludes = ["python", "Inputs"]

config.test_source_root = os.path.dirname(os.path.abspath(__file__))
config.test_exec_root = config.test_source_root

repo_root = os.path.dirname(config.test_source_root)
tool_dirs = [os.path.dirname(sys.executable), os.path.join(repo_root, ".venv", "bin")]
config.environment["PATH"] = os.pathsep.join(
    tool_dirs + [config.environment.get("PATH", os.environ.get("PATH", ""))])

for tool in ("gasync-opt", "gasync-run", "filecheck"):
    if shutil.which(tool, path=config.environment["PATH"]) is None:
        lit_config.fatal(f"'{tool}' is not on PATH; run `make test` (it installs the tools "
                         "into .venv)")
