"""The peak-memory figure the hostile tests assert on is the command's own, not pytest's."""

import sys

from tests.hostile.conftest import run_measured

MB = 1024**2


def test_peak_rss_excludes_the_parent_and_counts_the_child():
    ballast = bytearray(600 * MB)
    ballast[:: 4096] = b"\x01" * len(ballast[:: 4096])  # touch every page: this process is now > 600 MB
    small = run_measured([sys.executable, "-c", "pass"], timeout=60)
    big = run_measured([sys.executable, "-c", "b = bytearray(300 * 2**20); b[::4096] = b'1' * len(b[::4096])"],
                       timeout=60)
    del ballast
    assert small[0] == 0 and big[0] == 0
    assert small[3] < 100 * MB, small[3] / MB
    assert 300 * MB < big[3] < 450 * MB, big[3] / MB


def test_timeout_kills_the_command_and_reports_it():
    status, *_ = run_measured([sys.executable, "-c", "import time; time.sleep(60)"], timeout=1)
    assert status != 0
