"""gasync-run: compile and run one entry of a gasync program (placeholder: verifies)."""

import sys


def main(argv=None) -> int:
    print("gasync-run: not yet implemented", file=sys.stderr)
    return 2
