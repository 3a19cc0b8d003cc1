"""The on-disk compile cache: what a GPU compilation made (cubins, PTX, the
kernels' signatures), under a content hash of everything that decides it.

    GASYNC_CACHE_DIR=DIR   the cache's folder (default: $XDG_CACHE_HOME/gasync,
                           or ~/.cache/gasync)
    GASYNC_CACHE_DIR=      (empty) no cache
    GASYNC_NO_CACHE=1      no cache

The key hashes the source (gasync IR text, or the asm of an ir.Module), the
options, the chip and the gasync version, so a new gasync never reads an
old entry. An entry is one JSON file, written to a temporary name in the
same folder and renamed into place: readers see a whole entry or none, and
concurrent writers of one key leave one of their (identical) entries. An
entry that cannot be read is a miss.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile

ENV_DIR = "GASYNC_CACHE_DIR"
ENV_OFF = "GASYNC_NO_CACHE"
FORMAT = "gasync-cache/2"


def cache_dir() -> str | None:
    """The cache's folder, None when the environment turns the cache off."""
    if os.environ.get(ENV_OFF, "") not in ("", "0"):
        return None
    folder = os.environ.get(ENV_DIR)
    if folder is not None:
        return folder or None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "gasync")


def cache_key(source: str, options: dict, version: str) -> str:
    """A hex SHA-256 of the source, the options (chip included) and the version."""
    text = json.dumps({"format": FORMAT, "source": source, "options": options,
                       "version": version}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _path(folder: str, key: str) -> str:
    return os.path.join(folder, key[:2], f"{key}.json")


def load(key: str) -> dict | None:
    """The entry stored under `key` (bytes values restored), None on a miss."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        with open(_path(folder, key)) as f:
            entry = json.load(f)
        if entry.get("format") != FORMAT or entry.get("key") != key:
            return None
        return {"cubins": {k: base64.b64decode(v) for k, v in entry["cubins"].items()},
                "ptxs": entry["ptxs"], "kernels": entry["kernels"], "sites": entry["sites"]}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store(key: str, cubins: dict[str, bytes], ptxs: dict[str, str],
          kernels: list[dict], sites: list = ()) -> str | None:
    """Write an entry atomically; its path, None when the cache is off or its
    folder cannot be written (a cache that fails costs a recompile, not an error)."""
    folder = cache_dir()
    if folder is None:
        return None
    path = _path(folder, key)
    entry = {"format": FORMAT, "key": key, "kernels": kernels, "ptxs": ptxs,
             "sites": list(sites),
             "cubins": {k: base64.b64encode(v).decode() for k, v in cubins.items()}}
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w") as f:
                json.dump(entry, f)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        return None
    return path
