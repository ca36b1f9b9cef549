"""`read_input` and `source_name`: what may be read, and names that can be stored."""

import os
import threading

import pytest

from discourse.config import IngestSettings
from discourse.errors import SkipError
from discourse.ingest.process import read_input, source_name

S = IngestSettings()


def test_named_pipe_is_refused_without_blocking(tmp_path):
    # regression: read_bytes() on a FIFO in the folder blocked the whole ingest forever
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    outcome = {}

    def read():
        try:
            read_input(fifo, S)
        except SkipError as exc:
            outcome["reason"] = exc.reason

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    thread.join(10)
    assert outcome == {"reason": "unreadable"}


def test_folder_is_refused_as_not_a_regular_file(tmp_path):
    with pytest.raises(SkipError, match="unreadable: not a regular file"):
        read_input(tmp_path, S)


def test_links_out_of_the_walked_folder_are_refused(tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    (tmp_path / "secret.txt").write_text("outside")
    (root / "inside.txt").write_text("inside")
    os.symlink(tmp_path / "secret.txt", root / "out.txt")
    os.symlink("inside.txt", root / "in.txt")
    os.symlink("..", root / "up")
    with pytest.raises(SkipError, match="symlink: symbolic link to .*secret.txt, outside"):
        read_input(root / "out.txt", S, root)
    with pytest.raises(SkipError, match="symlink: symbolic link to a folder"):
        read_input(root / "up", S, root)
    assert read_input(root / "in.txt", S, root) == b"inside"
    assert read_input(root / "out.txt", S) == b"outside"  # named on the command line: followed


def test_size_limit_names_its_setting(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"x" * 2000)
    with pytest.raises(SkipError, match=r"too-large: 2,000 bytes > limit 1,000 \(setting ingest.max_file_bytes\)"):
        read_input(path, IngestSettings(max_file_bytes=1000))


def test_source_name_escapes_bytes_that_are_not_utf8(tmp_path):
    path = tmp_path / os.fsdecode(b"bad-\xff.txt")
    assert source_name(path).endswith("bad-\\xff.txt")
    assert source_name(path) == source_name(path)  # stable: reruns find the same rows
    assert source_name(tmp_path / "ünï 名.txt").endswith("ünï 名.txt")
