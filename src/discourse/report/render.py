"""Render the trend report: one self-contained HTML file (Jinja2 with autoescape, Plotly
inlined, a Content-Security-Policy that admits only the report's own two inline scripts by
hash), plus every chart as PNG and SVG and every chart's table as CSV.

Document text is never marked safe: titles, authors, passages, topic labels and evidence
go through autoescaping; chart data goes into a script as JSON with `<`, `>` and `&`
escaped, so no string can close the script element.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from pathlib import Path

from discourse.report.charts import Chart

__all__ = ["csp_for", "render_html", "save_static"]

logger = logging.getLogger(__name__)
_TEMPLATES = Path(__file__).parent / "templates"


def _script_json(data: object) -> str:
    text = json.dumps(data, separators=(",", ":"), default=_plain)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _plain(value: object):
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def _sha(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


def csp_for(scripts: list[str]) -> str:
    """A policy allowing exactly these inline scripts, inline styles (Plotly sets them) and
    data: images; nothing is fetched from anywhere."""
    return ("default-src 'none'; script-src " + " ".join(_sha(s) for s in scripts)
            + "; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; form-action 'none'")


def _charts_script(charts: list[Chart]) -> str:
    payload = _script_json({c.name: c.plotly for c in charts})
    return ("(function(){var charts=" + payload + ";"
            "Object.keys(charts).forEach(function(id){var c=charts[id];"
            "Plotly.newPlot('chart-'+id,c.data,c.layout,{displaylogo:false,responsive:true});});})();")


def render_html(context: dict, charts: list[Chart]) -> str:
    """The report page. `context` holds plain data (escaped by the template)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape
    from plotly.offline import get_plotlyjs

    plotly_js = get_plotlyjs()
    if "</script" in plotly_js.lower():  # cannot happen with a real bundle; refuse rather than break the page
        raise ValueError("plotly.js bundle contains '</script'")
    charts_js = _charts_script(charts)
    env = Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["pct"] = lambda v, d=0: "–" if v is None or v != v else f"{v * 100:.{d}f}%"
    env.filters["num"] = lambda v, d=3: "–" if v is None or v != v else f"{v:.{d}f}"
    template = env.get_template("report.html.j2")
    return template.render(**context, charts=charts, csp=csp_for([plotly_js, charts_js]),
                           plotly_js=plotly_js, charts_js=charts_js)


def save_static(charts: list[Chart], folder: Path) -> list[str]:
    """Each chart as PNG and SVG (Vega-Lite through vl-convert: no browser needed) and its
    table as CSV. Returns the files written."""
    import vl_convert as vlc

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for chart in charts:
        chart.table.to_csv(folder / f"{chart.name}.csv", index=False)
        spec = json.loads(json.dumps(chart.vegalite, default=_plain))
        (folder / f"{chart.name}.svg").write_text(vlc.vegalite_to_svg(spec), encoding="utf-8")
        (folder / f"{chart.name}.png").write_bytes(vlc.vegalite_to_png(spec, scale=2))
        written += [f"{chart.name}.{ext}" for ext in ("csv", "svg", "png")]
    return written
