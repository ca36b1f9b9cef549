"""Charts of the trend tables, each described once and rendered twice: as a Plotly figure
(interactive, in the HTML report) and as a Vega-Lite spec (exported to PNG and SVG by
vl-convert, which needs no browser). Inputs are the tidy tables the report also saves."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["Chart", "build_charts"]

COLOURS = {"heroic": "#c0392b", "collaborative": "#1f78b4", "neutral": "#7f8c8d", "uncertain": "#bdbdbd"}
_FONT = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"


@dataclass
class Chart:
    name: str
    title: str
    caption: str
    table: pd.DataFrame
    plotly: dict
    vegalite: dict


def _layout(title: str, **extra) -> dict:
    return {"title": {"text": title, "font": {"size": 15}}, "font": {"family": _FONT, "size": 12},
            "margin": {"l": 60, "r": 20, "t": 50, "b": 50}, "plot_bgcolor": "white", "paper_bgcolor": "white",
            "legend": {"orientation": "h", "y": -0.2}, **extra}


def _vl(title: str, data: pd.DataFrame, layer: list | None = None, **spec) -> dict:
    base = {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "title": title, "width": 560,
            "height": 280, "data": {"values": data.to_dict(orient="records")},
            "config": {"font": "sans-serif", "view": {"stroke": None}}}
    if layer is not None:
        base["layer"] = layer
    return {**base, **spec}


def framing_by_year(table: pd.DataFrame) -> Chart:
    t = table[table["label"].isin(["heroic", "collaborative"])].copy()
    traces = []
    for label, g in t.groupby("label", sort=False):
        g = g.sort_values("year")
        colour = COLOURS.get(label, "#555")
        traces.append({"type": "scatter", "x": [*g["year"], *g["year"][::-1]],
                       "y": [*g["ci_high"], *g["ci_low"][::-1]], "fill": "toself", "fillcolor": colour,
                       "opacity": 0.18, "line": {"width": 0}, "hoverinfo": "skip", "showlegend": False, "name": f"{label} 95% CI"})
        traces.append({"type": "scatter", "mode": "lines+markers", "x": list(g["year"]), "y": list(g["share"]),
                       "name": label, "line": {"color": colour, "width": 2},
                       "customdata": list(zip(g["n_docs"], g["ci_low"], g["ci_high"], strict=True)),
                       "hovertemplate": "%{x}: %{y:.0%} (95% CI %{customdata[1]:.0%}–%{customdata[2]:.0%}, "
                                        "%{customdata[0]} documents)<extra>" + str(label) + "</extra>"})
    title = "Share of passages framed heroic and collaborative, by year"
    colour_scale = {"domain": ["heroic", "collaborative"], "range": [COLOURS["heroic"], COLOURS["collaborative"]]}
    vl = _vl(title, t[["year", "label", "share", "ci_low", "ci_high", "n_docs"]], layer=[
        {"mark": {"type": "area", "opacity": 0.18},
         "encoding": {"x": {"field": "year", "type": "quantitative", "axis": {"format": "d"}},
                      "y": {"field": "ci_low", "type": "quantitative", "axis": {"format": "%"}, "title": "share of passages"},
                      "y2": {"field": "ci_high"}, "color": {"field": "label", "scale": colour_scale}}},
        {"mark": {"type": "line", "point": True},
         "encoding": {"x": {"field": "year", "type": "quantitative"}, "y": {"field": "share", "type": "quantitative"},
                      "color": {"field": "label", "scale": colour_scale, "title": "framing"}}}])
    return Chart("framing_by_year", title, "Bands are 95% bootstrap intervals, resampling documents within each year.",
                 t, {"data": traces, "layout": _layout(title, yaxis={"tickformat": ".0%", "title": "share of passages",
                                                                        "rangemode": "tozero", "gridcolor": "#eee"},
                                                        xaxis={"title": "year", "tickformat": "d"})}, vl)


def topics_heatmap(table: pd.DataFrame, topics: list[int]) -> Chart:
    t = table[table["topic_id"].isin(topics)].copy()
    t["topic"] = t["topic_id"].astype(str) + " " + t["label"].astype(str)
    pivot = t.pivot_table(index="topic", columns="year", values="share", aggfunc="first").fillna(0)
    title = "Topic prevalence by year (share of the year's passages)"
    plotly = {"data": [{"type": "heatmap", "z": pivot.to_numpy().round(4).tolist(), "x": [int(c) for c in pivot.columns],
                        "y": list(pivot.index), "colorscale": [[0, "#f7fbff"], [0.5, "#6baed6"], [1, "#08306b"]], "zmin": 0,
                        "hovertemplate": "%{y}<br>%{x}: %{z:.0%}<extra></extra>", "colorbar": {"tickformat": ".0%"}}],
              "layout": _layout(title, height=max(320, 34 * len(pivot) + 120), margin={"l": 20, "r": 20, "t": 50, "b": 50},
                                xaxis={"tickformat": "d"}, yaxis={"automargin": True})}
    vl = _vl(title, t[["topic", "year", "share"]], mark="rect", encoding={
        "x": {"field": "year", "type": "ordinal"}, "y": {"field": "topic", "type": "nominal", "title": None},
        "color": {"field": "share", "type": "quantitative", "scale": {"scheme": "blues"}, "legend": {"format": "%"}}},
        height=max(200, 24 * len(pivot)))
    return Chart("topics_over_time", title, "Each cell: share of that year's passages assigned to the topic.", t, plotly, vl)


def topic_framing(table: pd.DataFrame) -> Chart:
    title = "Framing within each topic (all years)"
    traces = [{"type": "bar", "orientation": "h", "name": label, "y": list(g["topic"]), "x": list(g["share"]),
               "marker": {"color": COLOURS.get(label, "#555")}, "hovertemplate": "%{y}: %{x:.0%}<extra>" + str(label) + "</extra>"}
              for label, g in table.groupby("framing", sort=False)]
    plotly = {"data": traces, "layout": _layout(title, barmode="stack", height=max(320, 30 * table["topic"].nunique() + 120),
                                                margin={"l": 20, "r": 20, "t": 50, "b": 50}, xaxis={"tickformat": ".0%"},
                                                yaxis={"automargin": True})}
    vl = _vl(title, table[["topic", "framing", "share"]], mark="bar", encoding={
        "y": {"field": "topic", "type": "nominal", "title": None}, "x": {"field": "share", "type": "quantitative", "axis": {"format": "%"}},
        "color": {"field": "framing", "scale": {"domain": list(COLOURS), "range": list(COLOURS.values())}}},
        height=max(200, 22 * table["topic"].nunique()))
    return Chart("topic_framing", title, "Share of each topic's passages by framing label.", table, plotly, vl)


def what_moved(table: pd.DataFrame) -> Chart:
    t = table.copy()
    t["item"] = t["what"] + ": " + t["level"].astype(str)
    t = t.sort_values("change")
    title = "What moved: change in share, first vs last years"
    plotly = {"data": [{"type": "scatter", "mode": "markers", "x": list(t["change"]), "y": list(t["item"]),
                        "error_x": {"type": "data", "symmetric": False, "array": list(t["ci_high"] - t["change"]),
                                    "arrayminus": list(t["change"] - t["ci_low"]), "color": "#555"},
                        "marker": {"color": ["#1a9641" if c else "#999" for c in t["clear"]], "size": 9},
                        "hovertemplate": "%{y}: %{x:+.1%}<extra></extra>"}],
              "layout": _layout(title, height=max(320, 28 * len(t) + 120), margin={"l": 20, "r": 20, "t": 50, "b": 50},
                                xaxis={"tickformat": "+.0%", "zeroline": True, "zerolinecolor": "#333"},
                                yaxis={"automargin": True}, showlegend=False)}
    vl = _vl(title, t[["item", "change", "ci_low", "ci_high", "clear"]], layer=[
        {"mark": "rule", "encoding": {"y": {"field": "item", "type": "nominal", "sort": None, "title": None},
                                      "x": {"field": "ci_low", "type": "quantitative", "axis": {"format": "+%"}, "title": "change in share"},
                                      "x2": {"field": "ci_high"}}},
        {"mark": {"type": "point", "filled": True, "size": 60},
         "encoding": {"y": {"field": "item", "type": "nominal", "sort": None}, "x": {"field": "change", "type": "quantitative"},
                      "color": {"field": "clear", "type": "nominal", "title": "interval excludes 0"}}}],
        height=max(200, 22 * len(t)))
    return Chart("what_moved", title, "Points: change in share between the first and last windows; bars: 95% bootstrap "
                 "intervals (documents resampled). Green: the interval excludes zero.", t, plotly, vl)


def build_charts(framing_year: pd.DataFrame, topic_year: pd.DataFrame, topic_framing_table: pd.DataFrame,
                 moves: pd.DataFrame, topics: list[int]) -> list[Chart]:
    charts = [framing_by_year(framing_year), topics_heatmap(topic_year, topics)]
    if len(topic_framing_table):
        charts.append(topic_framing(topic_framing_table))
    if len(moves):
        charts.append(what_moved(moves))
    return charts
