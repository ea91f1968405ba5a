"""The site's SVG charts: well-formed, accessible, escaped, exact, deterministic.

Expected coordinates and numbers are worked out by hand from the layout
constants documented in pmkit.app.site.charts."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from decimal import Decimal as D

import pytest

from pmkit.app.site import charts
from pmkit.app.site.charts import (
    bar_chart,
    burn_chart,
    funnel,
    gantt,
    line_chart,
    progress_bar,
    rag_badge,
    safe_href,
)

NS = "{http://www.w3.org/2000/svg}"
JAN1 = dt.date(2026, 1, 1)


def day(n: int) -> dt.date:
    return JAN1 + dt.timedelta(days=n)


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == NS + "svg"
    return root


def desc(svg: str) -> str:
    return parse(svg).find(NS + "desc").text


def all_text(svg: str) -> list[str]:
    return ["".join(e.itertext()) for e in parse(svg).iter(NS + "text")]


def find_all(svg: str, tag: str) -> list[ET.Element]:
    return list(parse(svg).iter(NS + tag))


SAMPLES = {
    "progress": lambda label="ERP": progress_bar(D("64.78"), D("68.57"), label),
    "progress-null": lambda label="ERP": progress_bar(None, None, label),
    "burn": lambda label="Burn": burn_chart(
        [("2026-01", D("100")), ("2026-02", D("300.5"))], D("1000"), label, currency="USD"),
    "gantt": lambda label="Plan": gantt(
        [(label, day(26), day(78), D(25), "active", "projects/erp.md"),
         ("Done thing", day(0), day(20), D(100), "done", None)],
        [(label, day(104), "late"), ("Go live", day(120), "planned")],
        JAN1, day(130), day(65), label),
    "funnel": lambda label="Hiring": funnel([(label, 10), ("Hired", 5)], label),
    "bars": lambda label="Spend": bar_chart([(label, D("1500")), ("Cloud", D("-250.5"))], label, "money",
                                            currency="USD"),
    "bars-percent": lambda label="Spent": bar_chart([(label, D("60.44"))], label, "percent"),
    "line": lambda label="History": line_chart(
        [(label, [(day(0), D(0)), (day(10), D(50))]), ("Planned", [(day(0), D(10))])], label, "percent"),
    "no-data": lambda label="Empty": bar_chart([], label, "count"),
}


# ---------------------------------------------------------------- frame


@pytest.mark.parametrize("name", SAMPLES)
def test_every_chart_is_an_accessible_standalone_svg(name: str) -> None:
    svg = SAMPLES[name]()
    root = parse(svg)
    assert root.get("role") == "img"
    title, description = root.find(NS + "title"), root.find(NS + "desc")
    assert title is not None and title.text
    assert description is not None and description.text
    assert list(root)[:2] == [title, description]
    assert root.get("aria-labelledby") == f"{title.get('id')} {description.get('id')}"
    assert re.fullmatch(r"0 0 \d+ \d+", root.get("viewBox"))
    assert root.get("width") == "100%"
    assert root.get("height") is None
    assert root.get("font-family") == charts.FONT_FAMILY


@pytest.mark.parametrize("name", SAMPLES)
def test_no_scripts_or_external_references(name: str) -> None:
    svg = SAMPLES[name]()
    for tag in ("script", "image", "foreignObject", "style", "use"):
        assert not find_all(svg, tag)
    lowered = svg.lower()
    for needle in ("url(", "@import", "xlink", "javascript", "<script"):
        assert needle not in lowered
    assert not [name for e in parse(svg).iter() for name in e.attrib if name.lower().startswith("on")]
    assert re.findall(r"https?://[^\s\"']*", svg) == ["http://www.w3.org/2000/svg"]


@pytest.mark.parametrize("name", SAMPLES)
def test_same_input_gives_the_same_bytes(name: str) -> None:
    assert SAMPLES[name]() == SAMPLES[name]()


@pytest.mark.parametrize("name", SAMPLES)
def test_coordinates_have_at_most_one_decimal(name: str) -> None:
    svg = SAMPLES[name]()
    attributes = re.findall(r' (?:x|y|x1|x2|y1|y2|cx|cy|width|height|points)="([^"]*)"', svg)
    assert attributes
    for value in attributes:
        for number in re.findall(r"-?\d+(?:\.\d+)?", value):
            assert re.fullmatch(r"-?\d+(\.\d)?", number), number


def test_different_charts_have_different_ids_and_an_id_can_be_chosen() -> None:
    one, two = progress_bar(D(1), D(2), "a"), progress_bar(D(1), D(2), "b")
    assert parse(one).find(NS + "title").get("id") != parse(two).find(NS + "title").get("id")
    chosen = parse(progress_bar(D(1), D(2), "a", chart_id="erp progress"))
    assert chosen.get("aria-labelledby") == "erp-progress-title erp-progress-desc"


# ---------------------------------------------------------------- numbers and coordinates


def test_progress_bar_geometry_and_text() -> None:
    svg = progress_bar(D(50), D(75), "ERP", width=208)  # plot 4..204, 200 wide
    rects = find_all(svg, "rect")
    assert (rects[0].get("x"), rects[0].get("width")) == ("4", "200")  # track
    assert (rects[1].get("x"), rects[1].get("width")) == ("4", "100")  # 50% ends at 4 + 100
    marker = find_all(svg, "line")[0]
    assert marker.get("x1") == marker.get("x2") == "154"  # 75% of 200 + 4
    assert desc(svg) == "ERP: 50.0% complete against 75.0% planned, 25.0 points behind plan (well behind)."
    assert rects[1].get("fill") == charts.RED
    assert "Well behind" in all_text(svg)
    assert "50.0% complete · planned 75.0% · −25.0 pts" in all_text(svg)


@pytest.mark.parametrize(("actual", "planned", "state", "colour"), [
    (D(60), D(65), "on-plan", charts.GREEN),  # gap -5: still on plan
    (D("59.9"), D(65), "behind", charts.AMBER),
    (D(55), D(65), "behind", charts.AMBER),  # gap -10: the RAG rule's amber
    (D("54.9"), D(65), "well-behind", charts.RED),  # more than 10 behind: red, as the dashboard says
    (D(90), D(65), "on-plan", charts.GREEN),  # ahead
])
def test_progress_colour_by_schedule_gap(actual: D, planned: D, state: str, colour: str) -> None:
    assert charts.schedule_state(actual, planned) == state
    assert find_all(progress_bar(actual, planned, "x"), "rect")[1].get("fill") == colour


def test_progress_bar_clamps_the_bar_but_states_the_real_numbers() -> None:
    svg = progress_bar(D(120), D(-5), "x", width=208)
    assert find_all(svg, "rect")[1].get("width") == "200"
    assert find_all(svg, "line")[0].get("x1") == "4"
    assert "120.0% complete against -5.0% planned" in desc(svg)


def test_progress_bar_without_figures() -> None:
    svg = progress_bar(None, D(40), "x", width=208)
    assert desc(svg) == "x: no progress data; 40.0% planned."
    assert len(find_all(svg, "rect")) == 1  # the track only
    assert desc(progress_bar(D(40), None, "x")) == "x: 40.0% complete; no planned figure."


def test_burn_chart_numbers_and_points() -> None:
    svg = SAMPLES["burn"]()
    # 100 + 300.50 = 400.50 of 1,000.00: 40.05% rounds half up to 40.1%
    assert desc(svg) == ("Spent 400.50 of 1,000.00 USD (40.1%) from Jan 2026 to Feb 2026 (2 months); "
                         "599.50 USD remains.")
    # plot x 60..616 in 2 bands of 278; y 262 (0) .. 64 (1,000, the top tick)
    line = find_all(svg, "polyline")[0]
    assert line.get("points") == "199,242.2 477,182.7"  # 262 - 198 * 0.1; 262 - 198 * 0.4005
    budget = [e for e in find_all(svg, "line") if e.get("stroke-dasharray") and e.get("x1") == "60"]
    assert budget[-1].get("y1") == "64"
    texts = all_text(svg)
    for tick in ("0", "250", "500", "750", "1K"):
        assert tick in texts
    assert "Budget 1K" in texts and "401 (40.1%)" in texts


def test_burn_chart_states_the_program_figures_with_thousands_separators() -> None:
    months = [("2026-02", D("680428.30")), ("2025-07", D("11000000"))]  # sorted by the chart
    svg = burn_chart(months, D("19325000"), "Budget burn", currency="USD")
    assert desc(svg).startswith("Spent 11,680,428.30 of 19,325,000.00 USD (60.4%) from Jul 2025 to Feb 2026")
    assert "7,644,571.70 USD remains" in desc(svg)
    assert "11.7M (60.4%)" in all_text(svg) and "Budget 19.3M" in all_text(svg)


def test_burn_chart_over_budget_and_without_budget() -> None:
    assert "over budget by 50.00 USD" in desc(burn_chart([("2026-01", D(150))], D(100), "t", currency="USD"))
    assert desc(burn_chart([("2026-01", D(150))], D(0), "t")) == (
        "Spent 150.00 from Jan 2026 to Jan 2026 (1 month) with no budget.")


def test_burn_chart_uses_the_currency_minor_digits() -> None:
    assert desc(burn_chart([("2026-01", D(1500))], D(3000), "t", currency="JPY")).startswith(
        "Spent 1,500 of 3,000 JPY (50.0%)")


def test_bar_chart_positive_geometry() -> None:
    svg = bar_chart([("A", D(50)), ("B", D(100))], "FTE", "count")
    a, b = [r for r in find_all(svg, "rect")]
    assert (a.get("x"), a.get("width")) == ("170", "200")  # scale 0..100 on 170..570: 50 ends at 370
    assert (b.get("x"), b.get("width")) == ("170", "400")
    assert desc(svg) == "A 50; B 100; total 150."
    assert all_text(svg) == ["FTE", "0", "25", "50", "75", "100", "A", "50", "B", "100"]  # ticks, labels, values


def test_bar_chart_negative_values_go_left_of_zero() -> None:
    svg = bar_chart([("A", D(-50)), ("B", D(100))], "Variance", "count")
    # domain -50..100 (step 50) on 234..570 (64 px kept for the value text): zero at 346
    a, b = find_all(svg, "rect")
    assert (a.get("x"), a.get("width"), a.get("fill")) == ("234", "112", charts.RED)
    assert (b.get("x"), b.get("width"), b.get("fill")) == ("346", "224", charts.BLUE)
    zero = find_all(svg, "line")[-1]
    assert zero.get("x1") == zero.get("x2") == "346"
    assert desc(svg) == "A -50; B 100; total 50."


def test_bar_chart_money_and_percent_text() -> None:
    svg = SAMPLES["bars"]()
    assert desc(svg) == "In USD: Spend 1,500.00; Cloud -250.50; total 1,249.50."
    assert "1.5K" in all_text(svg) and "-251" in all_text(svg)
    svg = SAMPLES["bars-percent"]()
    assert desc(svg) == "Spent 60.4%."
    assert find_all(svg, "rect")[0].get("width") == "241.8"  # 60.44% of 400 (scale to 100%)
    assert "100%" in all_text(svg)


def test_bar_chart_rejects_an_unknown_unit() -> None:
    with pytest.raises(ValueError):
        bar_chart([("a", D(1))], "t", "furlongs")


def test_funnel_geometry_and_desc() -> None:
    svg = SAMPLES["funnel"]()
    a, b = find_all(svg, "rect")
    assert (a.get("x"), a.get("width")) == ("160", "400")  # largest stage fills 160..560
    assert (b.get("x"), b.get("width")) == ("260", "200")  # half of it, centred on 360
    assert desc(svg) == "Hiring 10, Hired 5 (10 candidates)."  # a funnel: the first stage holds everyone


def test_line_chart_geometry_and_desc() -> None:
    svg = SAMPLES["line"]()
    # one legend row: plot y 68 (100%) .. 262 (0%), x 56 (day 0) .. 616 (day 10)
    assert find_all(svg, "polyline")[0].get("points") == "56,262 616,165"
    circles = [(c.get("cx"), c.get("cy")) for c in find_all(svg, "circle")]
    assert ("56", "242.6") in circles  # the single planned point: 10% -> 262 - 19.4
    assert desc(svg) == ("History: from 0.0% on 2026-01-01 to 50.0% on 2026-01-11 (2 points); "
                         "Planned: 10.0% on 2026-01-01.")


def test_line_chart_money() -> None:
    svg = line_chart([("Spend", [(day(0), D(0)), (day(100), D("1234567.891"))])], "Spend", "money",
                     currency="USD")
    assert desc(svg) == "Spend: from 0.00 USD on 2026-01-01 to 1,234,567.89 USD on 2026-04-11 (2 points)."
    assert "1.5M" in all_text(svg)  # top tick: 1,234,567.89 / 4 ticks -> step 500K


def test_gantt_geometry() -> None:
    svg = SAMPLES["gantt"]()
    # 130 days on 260..780: 4 px a day
    bar, fill = [r for r in find_all(svg, "rect") if r.get("height") == "14"][:2]
    assert (bar.get("x"), bar.get("width")) == ("364", "208")  # days 26..78
    assert fill.get("width") == "52"  # 25% of 208
    today = [e for e in find_all(svg, "line") if e.get("stroke") == charts.RED]
    assert len(today) == 1 and today[0].get("x1") == today[0].get("x2") == "520"  # day 65
    assert "As of 2026-03-07" in all_text(svg)
    diamonds = find_all(svg, "polygon")
    late = [d for d in diamonds if d.get("fill") == charts.RED][0]
    y = float(late.get("points").split()[1].split(",")[1])
    assert late.get("points") == f"676,{y - 6:g} 682,{y:g} 676,{y + 6:g} 670,{y:g}"  # day 104
    planned = [d for d in diamonds if d.get("fill") == "#ffffff"][0]  # hollow
    assert planned.get("points").startswith("740,")  # day 120


def test_gantt_desc_and_tooltips() -> None:
    svg = SAMPLES["gantt"]()
    assert desc(svg) == ("Plan: 2026-01-01 to 2026-05-11, as of 2026-03-07. 2 bars: 1 active, 1 done. "
                         "2 milestones: 1 late, 1 planned.")
    tips = [t.text for t in find_all(svg, "title")[1:]]
    assert "Plan: 2026-01-27 to 2026-03-20, 25.0% complete (Active)" in tips
    assert "Plan: 2026-04-15 · Late" in tips


def test_gantt_links_only_safe_hrefs() -> None:
    svg = SAMPLES["gantt"]()
    links = find_all(svg, "a")
    assert [a.get("href") for a in links] == ["projects/erp.md"]
    rows = [("a", day(0), day(5), None, "active", "javascript:alert(1)"),
            ("b", day(0), day(5), None, "active", 'x.md"onmouseover="alert(1)')]
    svg = gantt(rows, [], JAN1, day(30), day(1), "t")
    links = find_all(svg, "a")
    assert [a.get("href") for a in links] == ['x.md"onmouseover="alert(1)']  # one attribute, escaped
    assert set(links[0].attrib) == {"href"}
    assert "javascript" not in svg


@pytest.mark.parametrize(("today", "where"), [(day(-1), "before"), (day(131), "after")])
def test_gantt_omits_the_as_of_line_outside_the_range(today: dt.date, where: str) -> None:
    svg = gantt([("a", day(0), day(10), D(5), "active", None)], [], JAN1, day(130), today, "t")
    assert not [e for e in find_all(svg, "line") if e.get("stroke") == charts.RED]
    assert not [t for t in all_text(svg) if t.startswith("As of")]
    assert f"as of {today.isoformat()} ({where} the timeline)." in desc(svg)


def test_gantt_as_of_line_on_the_range_edges() -> None:
    for today, x in ((JAN1, "260"), (day(130), "780")):
        svg = gantt([("a", day(0), day(10), None, "done", None)], [], JAN1, day(130), today, "t")
        assert [e.get("x1") for e in find_all(svg, "line") if e.get("stroke") == charts.RED] == [x]


def test_gantt_grows_with_rows_and_clips_bars() -> None:
    def height(n: int) -> int:
        rows = [(f"r{i}", day(0), day(10), None, "active", None) for i in range(n)]
        return int(parse(gantt(rows, [], JAN1, day(130), day(5), "t")).get("viewBox").split()[3])

    assert height(2) - height(1) == 28 and height(12) - height(2) == 280
    svg = gantt([("a", day(-50), day(500), D(50), "active", None)], [], JAN1, day(130), day(5), "t")
    bar = [r for r in find_all(svg, "rect") if r.get("height") == "14"][0]
    assert (bar.get("x"), bar.get("width")) == ("260", "520")
    off = gantt([("late", day(200), day(300), None, "active", None)], [], JAN1, day(130), day(5), "t")
    assert not [r for r in find_all(off, "rect") if r.get("height") == "14"]


def test_gantt_month_header() -> None:
    svg = gantt([("a", day(0), day(10), None, "active", None)], [], JAN1, dt.date(2026, 12, 31), day(5), "t")
    texts = all_text(svg)
    assert "2026" in texts
    assert [t for t in texts if t in charts.MONTHS] == charts.MONTHS


def test_gantt_milestones_outside_the_range_show_their_date_at_the_edge() -> None:
    svg = gantt([], [("early", day(-3), "done"), ("later", day(200), "upcoming")], JAN1, day(130), day(5), "t")
    assert len(find_all(svg, "polygon")) == 2  # only the two legend diamonds
    texts = all_text(svg)
    assert "◂ 2025-12-29 · Done" in texts and "2026-07-20 · Upcoming ▸" in texts


def test_long_labels_are_cut_with_an_ellipsis_and_kept_whole_in_a_tooltip() -> None:
    long = "Replace the legacy finance, HR and payroll systems across all agencies"
    for svg in (gantt([(long, day(0), day(9), None, "active", None)], [], JAN1, day(30), day(1), "t"),
                bar_chart([(long, D(1))], "t", "count"), funnel([(long, 3)], "t"),
                progress_bar(D(1), D(2), long)):
        shown = [t for t in all_text(svg) if t.startswith("Replace")]
        assert len(shown) == 1 and shown[0].endswith("…") and len(shown[0]) < len(long)
        assert [t.text for t in find_all(svg, "title") if t.text.startswith(long)]


# ---------------------------------------------------------------- escaping


EVIL = "<script>alert(1)</script> & \"Tom's\""


@pytest.mark.parametrize("name", SAMPLES)
def test_text_from_the_caller_is_escaped(name: str) -> None:
    svg = SAMPLES[name](EVIL)
    assert "<script" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;Tom&#39;s&#34;" in svg
    root = parse(svg)
    assert root.find(NS + "title").text == EVIL
    assert EVIL in root.find(NS + "desc").text or name in ("no-data", "burn")
    assert not find_all(svg, "script")


def test_control_characters_and_line_breaks_do_not_break_the_xml() -> None:
    svg = bar_chart([("a\x00b\x1bc\nd", D(1))], "t\r\nu\x08", "count")
    root = parse(svg)
    assert root.find(NS + "title").text == "t u"
    assert "abc d" in all_text(svg)


# ---------------------------------------------------------------- links


@pytest.mark.parametrize("href", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
    "java\nscript:x", "http://x", "https://x/y.md", "//x", "//x/y", "data:text/html,<b>", "DATA:x",
    "mailto:a@b", "vbscript:x", "/etc/passwd", "\\\\x\\y", "/\\x", "\x00javascript:x", "", None, 42,
    "a b.md", "c:foo", "\u202ejavascript:x",
])
def test_safe_href_drops_anything_but_relative_references(href: object) -> None:
    assert safe_href(href) is None


@pytest.mark.parametrize("href", [
    "projects/erp.md", "../teams/", "#top", "erp.md#budget", "?q=1", "./a:b.md", "projects/erp/", "données.md",
])
def test_safe_href_keeps_relative_references(href: str) -> None:
    assert safe_href(href) == href


# ---------------------------------------------------------------- no data


@pytest.mark.parametrize("svg", [
    bar_chart([], "t", "money"),
    bar_chart([("a", D(0)), ("b", D("0.00"))], "t", "percent"),
    funnel([], "t"),
    funnel([("Applied", 0), ("Hired", 0)], "t"),
    burn_chart([], D(0), "t"),
    burn_chart([("2026-01", D(0))], D(0), "t"),
    burn_chart([], D(500), "t", currency="USD"),
    line_chart([], "t", "percent"),
    line_chart([("Progress", []), ("Planned", [])], "t", "money"),
    gantt([], [], JAN1, day(10), day(3), "t"),
], ids=["bars-empty", "bars-zero", "funnel-empty", "funnel-zero", "burn-empty", "burn-zero",
        "burn-no-spend", "line-empty", "line-empty-series", "gantt-empty"])
def test_empty_or_zero_input_gives_a_valid_no_data_chart(svg: str) -> None:
    root = parse(svg)
    assert root.get("role") == "img" and root.find(NS + "title").text == "t"
    assert root.find(NS + "desc").text
    assert "No data" in all_text(svg)


def test_no_data_desc_says_why() -> None:
    assert desc(bar_chart([("a", D(0)), ("b", D(0))], "t", "count")) == "No data: all 2 values are zero."
    assert desc(burn_chart([], D(500), "t", currency="USD")) == "No spend recorded; budget 500.00 USD."


def test_degenerate_ranges_do_not_divide_by_zero() -> None:
    parse(gantt([("a", JAN1, JAN1, D(0), "x", None)], [], JAN1, JAN1, JAN1, "t"))  # end == start
    parse(gantt([("a", day(5), day(1), D(0), "x", None)], [], day(9), JAN1, JAN1, "t"))  # reversed
    single = line_chart([("a", [(JAN1, D(5))])], "t", "count")
    assert find_all(single, "circle")[0].get("cx") == "336"  # the middle of 56..616
    parse(line_chart([("a", [(JAN1, D(0)), (day(1), D(0))])], "t", "money"))
    parse(progress_bar(D(0), D(0), "t", width=10))


# ---------------------------------------------------------------- RAG


@pytest.mark.parametrize(("rag", "word", "colour"), [
    ("green", "Green", charts.GREEN), ("AMBER", "Amber", charts.AMBER), ("red", "Red", charts.RED),
    (None, "N/A", charts.GREY), ("<script>", "N/A", charts.GREY),
])
def test_rag_badge(rag: str | None, word: str, colour: str) -> None:
    svg = rag_badge(rag)
    root = parse(svg)
    assert root.get("role") == "img" and root.get("aria-label").startswith("RAG status: ")
    assert root.find(NS + "title").text == root.get("aria-label")
    assert all_text(svg) == [word]
    assert find_all(svg, "rect")[0].get("fill") == colour
    assert "id=" not in svg and "<script" not in svg


# ---------------------------------------------------------------- formatting


@pytest.mark.parametrize(("value", "text"), [
    (D(0), "0"), (D(850), "850"), (D("12.5"), "12.5"), (D(1000), "1K"), (D(250000), "250K"),
    (D(1234567), "1.23M"), (D("19325000"), "19.3M"), (D("999999"), "1M"), (D(-1200000), "-1.2M"),
    (D("2500000000"), "2.5B"),
])
def test_compact_money(value: D, text: str) -> None:
    assert charts.compact(value) == text


def test_money_has_thousands_separators_and_minor_digits() -> None:
    assert charts.money(D("11680428.3")) == "11,680,428.30"
    assert charts.money(D("1234.5"), 0) == "1,235"
    assert charts.money(D("-0.001")) == "0.00"


def test_bar_chart_full_labels_widens_instead_of_cutting() -> None:
    long = "IRS Publication 1075: safeguarding federal tax information"
    cut = bar_chart([(long, D(95))], "t", "percent")
    whole = bar_chart([(long, D(95))], "t", "percent", full_labels=True)
    assert "…" in cut and "…" not in whole and f">{long}</text>" in whole
    assert float(re.search(r"viewBox=\"0 0 ([\d.]+)", whole)[1]) > float(re.search(r"viewBox=\"0 0 ([\d.]+)", cut)[1])
