"""The demo pipeline runs with networking disabled: in a new network namespace where the
system allows it (`unshare -n`: no interface but a downed loopback), else in-process with
every socket refused."""

import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


def _copy_demo(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "pipelines", tmp_path / "pipelines")
    shutil.copytree(REPO / "corpus" / "sample", tmp_path / "corpus" / "sample")
    return tmp_path / "pipelines" / "demo.toml"


def _unshare_works() -> bool:
    tool = shutil.which("unshare")
    return bool(tool) and subprocess.run([tool, "-n", "true"], capture_output=True).returncode == 0


@pytest.mark.slow
def test_demo_pipeline_runs_without_network(tmp_path, monkeypatch):
    pipeline = _copy_demo(tmp_path)
    report = tmp_path / "reports" / "demo" / "report.html"
    if _unshare_works():
        discourse = str(Path(sys.executable).parent / "discourse")
        probe = subprocess.run(["unshare", "-n", sys.executable, "-c",
                                "import socket; s = socket.socket(); s.settimeout(2); print(s.connect_ex(('1.1.1.1', 443)))"],
                               capture_output=True, text=True)
        assert probe.stdout.strip() != "0"  # really offline in there
        result = subprocess.run(["unshare", "-n", discourse, "run", str(pipeline), "--quiet"],
                                capture_output=True, text=True, timeout=900)
        assert result.returncode == 0, result.stderr[-3000:]
    else:  # no namespaces here: refuse every socket this process opens
        from discourse.pipeline.run import run_pipeline

        def refuse(*args, **kwargs):
            raise OSError("network disabled for this test")

        monkeypatch.setattr(socket, "socket", refuse)
        run_pipeline(pipeline)
    assert report.exists() and (tmp_path / "reports" / "demo" / "charts" / "framing_by_year.png").exists()
