"""A stand-in tool for the tests of the fork server (test/python/test_fuzz.py):
it does what its one argument says, so each way a process can end is seen
both forked and as a subprocess.

    exit N     return N from main
    message    sys.exit with a message (printed, exit 1)
    raise      an uncaught exception (a traceback, exit 1)
    signal N   kill itself with signal N
    sleep S    sleep S seconds, then exit 0
    spin       compute without end
    echo       copy stdin to stdout, say "echoed" on stderr, print argv[0] on stderr
"""

from __future__ import annotations

import os
import sys
import time


def main() -> int:
    what, *rest = sys.argv[1:]
    if what == "exit":
        return int(rest[0])
    if what == "message":
        sys.exit("probe: error: a message")
    if what == "raise":
        raise ValueError("probe raised")
    if what == "signal":
        os.kill(os.getpid(), int(rest[0]))
        time.sleep(10)
    if what == "sleep":
        time.sleep(float(rest[0]))
        return 0
    if what == "spin":
        while True:
            pass
    if what == "echo":
        sys.stdout.write(sys.stdin.read())
        print(f"echoed by {os.path.basename(sys.argv[0])} in {os.path.basename(os.getcwd())}",
              file=sys.stderr)
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
