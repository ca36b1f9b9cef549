"""Run a command and write its peak RSS (bytes, from wait4) to a file: `python measure.py OUT -- CMD...`.

Why a launcher: on Linux a child's ru_maxrss includes the high-water RSS of the address
space it replaced at exec, and subprocess starts children with vfork, so a command
measured straight from a large pytest process reports pytest's own peak. Started from
this small process, the command's figure is its own (plus at most this launcher's few MB).
"""

import os
import subprocess
import sys


def main() -> int:
    out, sep, *cmd = sys.argv[1:]
    assert sep == "--" and cmd, "usage: measure.py OUT -- CMD..."
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    with open(out, "w", encoding="ascii") as fh:
        fh.write(str(usage.ru_maxrss * 1024))
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
