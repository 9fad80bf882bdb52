"""The officials' report's charts: Vega-Lite specifications built with Altair and
rendered to SVG by vl-convert, in this process, without a browser or a network."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

# Lightness falls steadily along viridis: the categories stay apart in greyscale.
COLOUR_SCHEME = "viridis"
FONT = "DejaVu Sans"
# Reached, on track, late: green for what holds, a dark red for what does not, and
# three lightnesses apart in greyscale.
STATUS_COLOURS = ("#1a9850", "#a6d96a", "#67001f")
WIDTH = 620
HEIGHT = 280


@dataclass(frozen=True)
class Chart:
    description: str
    """The chart's text alternative: what it shows, in words."""
    svg: str


def _render(chart: Any, description: str) -> Chart:
    import vl_convert

    spec = (
        chart.properties(description=description)
        .configure(font=FONT)
        .configure_legend(orient="bottom", columns=2, labelLimit=320)
        .to_dict()
    )
    return Chart(description, vl_convert.vegalite_to_svg(spec))


def stacked(
    rows: Sequence[dict[str, Any]],
    *,
    x: str,
    y: str,
    colour: str,
    titles: dict[str, str],
    description: str,
    order: Sequence[str],
    mark: Literal["bar", "area", "grouped_bar"] = "bar",
) -> Chart:
    """``y`` along ``x``, one ``colour`` (in ``order``) above the other: bars per
    ``x`` (or side by side), or areas along a continuous ``x`` (a wedge)."""
    import altair as alt

    side_by_side = mark == "grouped_bar"
    offset = {"xOffset": alt.XOffset(f"{colour}:N", sort=list(order))} if side_by_side else {}
    x_axis = (
        alt.X(f"{x}:Q", title=titles[x], axis=alt.Axis(format="d"))
        if mark == "area"
        else alt.X(f"{x}:O", title=titles[x], axis=alt.Axis(labelLimit=200))
    )
    base = alt.Chart(alt.Data(values=list(rows)), width=WIDTH, height=HEIGHT)
    chart = (base.mark_area() if mark == "area" else base.mark_bar()).encode(
        x=x_axis,
        y=alt.Y(
            f"sum({y}):Q",
            title=titles[y],
            axis=alt.Axis(format="~s"),
            stack=None if side_by_side else "zero",
        ),
        color=alt.Color(
            f"{colour}:N",
            title=titles[colour],
            scale=alt.Scale(scheme=COLOUR_SCHEME, domain=list(order)),
        ),
        order=alt.Order(f"{colour}:N"),
        **offset,
    )
    return _render(chart, description)


def horizontal_bars(
    rows: Sequence[dict[str, Any]],
    *,
    category: str,
    value: str,
    titles: dict[str, str],
    description: str,
    percent: bool = False,
) -> Chart:
    """One bar per ``category``, in the order of ``rows``."""
    import altair as alt

    chart = (
        alt.Chart(alt.Data(values=list(rows)), width=WIDTH)
        .mark_bar(color="#3b528b")
        .encode(
            y=alt.Y(
                f"{category}:N",
                title=titles[category],
                sort=[row[category] for row in rows],
                axis=alt.Axis(labelLimit=300),
            ),
            x=alt.X(
                f"{value}:Q", title=titles[value], axis=alt.Axis(format="%" if percent else "~s")
            ),
        )
    )
    return _render(chart, description)


def progress_bars(
    rows: Sequence[dict[str, Any]],
    *,
    statuses: Sequence[str],
    titles: dict[str, str],
    description: str,
) -> Chart:
    """One bar per indicator: the share of a target reached (``share``, 100 % drawn as a
    rule), coloured by its ``status``, one of ``statuses`` (reached, on track, late:
    ``STATUS_COLOURS``) in the legend's order."""
    import altair as alt

    bars = (
        alt.Chart(alt.Data(values=list(rows)))
        .mark_bar()
        .encode(
            # The labels name the indicators: a title beside them would overlap them.
            y=alt.Y(
                "indicator:N",
                title=None,
                sort=[row["indicator"] for row in rows],
                axis=alt.Axis(labelLimit=300),
            ),
            x=alt.X("share:Q", title=titles["share"], axis=alt.Axis(format="%")),
            color=alt.Color(
                "status:N",
                title=titles["status"],
                scale=alt.Scale(domain=list(statuses), range=list(STATUS_COLOURS)),
            ),
        )
    )
    target = (
        alt.Chart(alt.Data(values=[{"share": 1}])).mark_rule(strokeDash=[4, 3]).encode(x="share:Q")
    )
    return _render(alt.layer(bars, target).properties(width=WIDTH), description)


def trajectory(
    target: Sequence[dict[str, Any]],
    observed: Sequence[dict[str, Any]],
    *,
    titles: dict[str, str],
    description: str,
) -> Chart:
    """The plan's target line, and the inventories observed as points."""
    import altair as alt

    x = alt.X("year:Q", title=titles["year"], axis=alt.Axis(format="d"))
    y = alt.Y("tco2e:Q", title=titles["tco2e"], axis=alt.Axis(format="~s"))
    series = alt.Color(
        "series:N",
        title=None,
        scale=alt.Scale(domain=[titles["target"], titles["observed"]], range=["#21918c", "#000"]),
    )
    line = (
        alt.Chart(alt.Data(values=list(target)))
        .mark_line(strokeDash=[6, 3])
        .encode(x=x, y=y, color=series)
    )
    points = (
        alt.Chart(alt.Data(values=list(observed)))
        .mark_point(filled=True, size=80, shape="diamond")
        .encode(x=x, y=y, color=series)
    )
    return _render(alt.layer(line, points).properties(width=WIDTH, height=HEIGHT), description)
