"""The published trend report: charts (Plotly in the page; PNG/SVG via vl-convert) and a
self-contained HTML file. Takes DataFrames and plain dicts; the pipeline reads the store."""

from discourse.report.charts import Chart, build_charts
from discourse.report.render import csp_for, render_html, save_static

__all__ = ["Chart", "build_charts", "csp_for", "render_html", "save_static"]
