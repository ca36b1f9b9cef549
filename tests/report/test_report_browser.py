"""The report in headless Chromium: charts draw, no console errors, and script injected
through titles, authors and passages neither runs nor disappears (it shows as text)."""

import re
import shutil
import subprocess

import pytest

from discourse.pipeline.run import run_pipeline
from tests.pipeline.conftest import write_pipeline

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000"]
PAYLOAD_TITLE = "<script>document.body.setAttribute('data-pwned','title')</script> Rescue plan"
PAYLOAD_AUTHOR = '" onmouseover="document.body.setAttribute(\'data-pwned\',\'author\')'
PAYLOAD_TEXT = ("The chief executive alone decided the rescue plan and took command of every department. "
                "<img src=x onerror=\"document.body.setAttribute('data-pwned','text')\"> "
                "<a href=\"javascript:document.body.setAttribute('data-pwned','href')\">details</a>")


def _hostile_corpus(root):
    pipeline = write_pipeline(root, files=8)
    # every labelled passage of a cell is an exemplar (at most 10 per cell; 9 documents here),
    # so the hostile document is shown whatever its rank among them
    pipeline.write_text(pipeline.read_text().replace("min_docs = 1", "min_docs = 1\nexemplars = 10"))
    corpus = root / "corpus"
    (corpus / "zz-hostile.txt").write_text(f"{PAYLOAD_TEXT}\n\nHe set the targets himself and expected them to be met.\n",
                                           encoding="utf-8")
    with (corpus / "sources.csv").open("a", encoding="utf-8") as fh:
        title = PAYLOAD_TITLE.replace('"', '""')
        author = PAYLOAD_AUTHOR.replace('"', '""')
        fh.write(f'zz-hostile.txt,"{title}","{author}",2012,,,opinion,\n')
    return pipeline


@pytest.mark.slow
def test_report_draws_in_chromium_and_injected_script_does_not_run(tmp_path, hash_embedder):
    if CHROMIUM is None:
        pytest.skip("needs Debian's chromium (installed by .ci/run)")
    pipeline = _hostile_corpus(tmp_path)
    run_pipeline(pipeline)
    report = tmp_path / "out" / "report.html"
    html = report.read_text(encoding="utf-8")
    assert "<script>document.body" not in html and "onmouseover=\"document" not in html
    assert 'http-equiv="Content-Security-Policy"' in html and "'unsafe-eval'" not in html
    assert "https://" not in re.sub(r"<script>.*?</script>", "", html, flags=re.S).replace("https://vega.github.io", "")

    proc = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'chrome'}", "--dump-dom", report.as_uri()],
                          capture_output=True, text=True, timeout=120)
    dom, log = proc.stdout, proc.stderr
    assert proc.returncode == 0, log[-2000:]
    assert not re.search(r"<body[^>]*data-pwned", dom), "injected script ran"
    console = [line for line in log.splitlines() if "CONSOLE" in line or "Uncaught" in line
               or "Content Security Policy" in line or "Refused to" in line]
    assert console == [], console
    for chart in ("framing_by_year", "topics_over_time", "topic_framing", "what_moved"):
        block = dom.split(f'id="chart-{chart}"', 1)[1][:20000]
        assert 'class="main-svg"' in block, f"{chart} did not draw"
    assert "&lt;script&gt;document.body.setAttribute" in dom  # shown as text
    assert "onerror=" in dom.replace("&quot;", '"') and "&lt;img src=x" in dom
