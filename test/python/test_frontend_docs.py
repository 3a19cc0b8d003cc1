"""Every CPU snippet of docs/python.md runs as shown: each ```python block
(except those that start `# GPU`, which need a GPU) is written to a module
file (the frontend compiles from source files) and imported; a line
`print(...)  # -> TEXT` must print TEXT."""

import importlib.util
import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOC = os.path.join(ROOT, "docs", "python.md")


def snippets() -> list[str]:
    with open(DOC) as f:
        blocks = re.findall(r"^```python\n(.*?)^```", f.read(), re.M | re.S)
    return [b for b in blocks if not b.startswith("# GPU")]


def test_the_doc_has_snippets():
    assert len(snippets()) >= 8


@pytest.mark.parametrize("n", range(len(snippets())))
def test_snippet_runs(n, tmp_path, capsys):
    code = snippets()[n]
    path = tmp_path / f"doc_snippet_{n}.py"
    path.write_text(code)
    spec = importlib.util.spec_from_file_location(f"doc_snippet_{n}", path)
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
    printed = capsys.readouterr().out.splitlines()
    expected = re.findall(r"^print\(.*\)\s+# -> (.*)$", code, re.M)
    if expected:
        assert printed == expected
