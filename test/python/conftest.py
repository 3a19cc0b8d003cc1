"""Every test gets its own compile cache folder: the suite never reads or
writes the user's ~/.cache/gasync, and no test sees another's entries."""

import pytest


@pytest.fixture(autouse=True)
def private_compile_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GASYNC_CACHE_DIR", str(tmp_path / "gasync-cache"))
    monkeypatch.delenv("GASYNC_NO_CACHE", raising=False)
