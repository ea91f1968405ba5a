"""render_site as a pure function: the pages of the example program and what they show."""

from __future__ import annotations

import datetime as dt
import posixpath
import re

import pytest

from pmkit.app.site import text
from pmkit.app.site.data import load
from pmkit.app.site.pages import NAV, render_site
from sitehelp import FIXTURES, PROGRAM, program_copy  # noqa: F401 (fixtures)

PER_ITEM = re.compile(r"^(projects|teams|reports)/(?!index\.md$)[^/]+\.md$")


@pytest.fixture(scope="module")
def site() -> tuple[dict[str, str], dict]:
    data = load(PROGRAM, use_cache=False)
    assert data.errors == 0 and data.document is not None
    return render_site(data.model, data.document, data.findings, data.as_of), data.document


def _ids(folder: str) -> list[str]:
    return sorted(p.stem for p in (PROGRAM / folder).glob("*.yaml"))


def test_the_expected_pages(site):
    pages, _ = site
    expected = {path for _, path in NAV}
    expected |= {f"projects/{i}.md" for i in _ids("projects")}
    expected |= {f"teams/{i}.md" for i in _ids("teams")}
    expected |= {f"reports/{i}.md" for i in _ids("reports")}
    assert {p for p in pages if p.endswith(".md")} == expected
    others = {p for p in pages if not p.endswith(".md")}
    assert others and all(p.startswith("charts/") and p.endswith(".svg") for p in others)


def test_every_chart_a_page_shows_is_rendered(site):
    pages, _ = site
    for path, content in pages.items():
        if not path.endswith(".md"):
            continue
        for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", content):
            assert posixpath.normpath(posixpath.join(posixpath.dirname(path), image)) in pages, (path, image)


def test_on_phones_wide_charts_scroll_and_progress_bars_shrink(site):
    """The class site.css scrolls a chart by: every chart at least WIDE_CHART
    wide has it, except progress bars (a label or two, which read well shrunk)."""
    pages, _ = site
    classes = {}
    for path, content in pages.items():
        for image, attrs in re.findall(r"!\[[^\]]*\]\(([^)]+)\)\{([^}]*)\}", content):
            classes[posixpath.basename(image)] = "pmkit-chart-wide" in attrs
    assert classes["progress.svg"] is False and classes["cloud-migration-progress.svg"] is False
    assert classes["teams-progress.svg"] is True and classes["timeline.svg"] is True
    assert classes["budget-burn.svg"] is True


def test_the_rendering_is_pure_and_deterministic():
    first = load(PROGRAM, use_cache=False)
    again = load(PROGRAM, use_cache=False)
    assert render_site(first.model, first.document, first.findings, first.as_of) == \
        render_site(again.model, again.document, again.findings, again.as_of)


def test_the_dashboard_shows_the_rollup_figures_as_formatted(site):
    pages, doc = site
    index = pages["index.md"]
    program, currency = doc["program"], doc["currency"]
    for shown in (
        text.percent(program["progress"]),
        text.percent(program["planned"]),
        text.money(program["evm"]["bac"], currency),
        text.money(program["evm"]["ac"], currency),
        text.money(program["evm"]["eac"], currency),
        text.index(program["evm"]["cpi"]),
        text.money(program["budget"]["current"], currency),
    ):
        assert str(shown) in index
    # and the formatting itself, on the example's own figures
    assert program["progress"] == 69.36 and "69.4%" in index
    assert program["evm"]["bac"] == "18825000.00" and "$18,825,000.00" in index
    assert program["evm"]["ac"] == "11524049.80" and "$11,524,049.80" in index


def test_the_dashboard_has_the_spec_sections(site):
    pages, doc = site
    index = pages["index.md"]
    for heading in ("## Projects", "## Objectives", "## Earned value", "## Late milestones", "## Top problems",
                    "## Progress against plan", "## Budget burn"):
        assert heading in index
    assert str(text.md_text(doc["program"]["goal"])) in index
    for objective in doc["objectives"].values():
        assert str(text.md_text(objective["title"])) in index
    late = [m for m in doc["milestones"] if m["status"] == "late"]
    assert late and all(str(text.md_text(m["title"])) in index for m in late)
    assert "charts/budget-burn.svg" in index and "charts/progress.svg" in index


def test_each_project_page_exists_and_is_linked_from_the_index(site):
    pages, doc = site
    listing = pages["projects/index.md"]
    for pid, row in doc["projects"].items():
        assert f"projects/{pid}.md" in pages
        assert f"]({pid}.md)" in listing
        page = pages[f"projects/{pid}.md"]
        assert str(text.md_text(row["name"])) in page
        for section in ("## Tasks", "## Milestones", "## Budget by category", "## Earned value", "## Problems",
                        "## Dependencies"):
            assert section in page, (pid, section)


def test_team_and_report_pages_are_linked_from_their_index(site):
    pages, _ = site
    for tid in _ids("teams"):
        assert f"]({tid}.md)" in pages["teams/index.md"]
    for period in _ids("reports"):
        assert f"]({period}.md)" in pages["reports/index.md"]


def test_no_per_item_page_in_the_navigation():
    paths = [path for _, path in NAV]
    assert not [p for p in paths if PER_ITEM.match(p)]
    assert all(p.endswith(".md") for p in paths) and len(set(paths)) == len(paths)


RAG_CLASS = re.compile(r'class="pmkit-rag pmkit-rag-(\w+)"')


def _row(page: str, pid: str) -> str:
    """The table row of a page that links a project's page."""
    link = re.compile(rf"\]\((\.\./)?(projects/)?{re.escape(pid)}\.md\)")
    return next(line for line in page.splitlines() if line.startswith("| ") and link.search(line))


def test_project_rag_is_computed_and_the_reported_one_is_shown_beside_it(site):
    pages, _ = site
    # citizen-portal: 50.15% done against 61.43% planned = 11.28 points behind: red by the rule,
    # although its team (app-dev) reported amber in 2026-10: both are shown.
    page = pages["projects/citizen-portal.md"]
    assert RAG_CLASS.findall(page)[:2] == ["red", "amber"]
    assert "computed: 11&#46;3 points behind plan &#40;more than 10&#41;; reported amber by Digital Services, 2026-10" \
        in page
    # cloud-migration: 5.8 points behind: amber (not green as its team reported), and its gap amber too
    row = _row(pages["index.md"], "cloud-migration")
    assert RAG_CLASS.findall(row) == ["amber", "green"]
    assert '<span class="pmkit-gap-amber">-5.8\u00a0pts</span>' in row
    # erp-replacement: a milestone late: amber, as reported: no "reported" beside it
    assert RAG_CLASS.findall(_row(pages["index.md"], "erp-replacement")) == ["amber"]
    assert "pmkit-rag-done" in pages["projects/identity-sso.md"]
    assert "RAG, one rule on every page" in pages["index.md"]
    # the headline counts the computed RAGs: citizen-portal red; cloud-migration, erp-replacement amber
    assert "1 red · 2 amber · 1 green" in pages["index.md"]
    assert "2 projects reported otherwise" in pages["index.md"]


def test_dashboard_project_pages_and_reports_agree(site):
    from pmkit.app.render.report import narrative_record, report

    pages, document = site
    data = load(PROGRAM, use_cache=False)
    command = report(document, "2026-10", narrative_record(data.model, "2026-10"), [])
    by_project = command[command.index("### By project"):command.index("## Milestones")]
    seen = 0
    for pid, row in document["projects"].items():
        dashboard = RAG_CLASS.findall(_row(pages["index.md"], pid))[0]
        listing = RAG_CLASS.findall(_row(pages["projects/index.md"], pid))[0]
        own = RAG_CLASS.findall(pages[f"projects/{pid}.md"])[0]
        monthly = RAG_CLASS.findall(_row(pages["reports/2026-10.md"], pid))[0]  # as of the status date
        assert dashboard == listing == own == monthly, pid
        cells = next(line for line in by_project.splitlines() if line.startswith(f"| {pid} ")).split("|")
        expected = dashboard.upper() if row["status"] in ("active", "on-hold") else "—"
        assert cells[4].strip() == expected, pid
        seen += row["status"] in ("active", "on-hold")
    assert seen == 4


def test_timeline_bars_take_the_computed_rag(site):
    pages, _ = site
    svg = pages["charts/timeline.svg"]
    assert "Well behind" in svg  # citizen-portal, red on the dashboard


def test_without_a_report_the_rag_is_computed():
    data = load(FIXTURES / "minimal", use_cache=False)
    pages = render_site(data.model, data.document, data.findings, data.as_of)
    assert "reported" not in pages["projects/infra.md"].split("| Status | RAG |")[1].split("\n\n")[0]
    assert "reported green by" in pages["projects/payroll.md"]  # team apps reported green


def test_a_report_page_shows_that_months_figures(site):
    from pmkit.app.pipeline import figures

    pages, october = site
    september = figures(PROGRAM, dt.date(2026, 9, 30), use_cache=False).document
    assert september is not None
    page = pages["reports/2026-09.md"]
    assert "## Figures as of 2026-09-30" in page
    spent = september["program"]["budget"]["spent_pct"]
    assert spent != october["program"]["budget"]["spent_pct"]
    assert f"{text.percent(spent)} of the" in page
    planned = september["projects"]["cloud-migration"]["planned"]
    assert f"| {text.percent(planned)} |" in _row(page, "cloud-migration")
    # the narrative sits beside the figures: the team's summary in the same row as its progress
    (line,) = [line for line in page.splitlines() if "teams/infra-cloud.md" in line and line.startswith("| ")]
    assert "Wave 2 completed" in line and text.percent(september["teams"]["infra-cloud"]["progress"]) in line
    assert "## Figures as of 2026-10-31" in pages["reports/2026-10.md"]
    # What the page worked September out from, said plainly: not the revision `pmkit report` reads in git.
    assert "worked out from the files as they stand on 2026-10-31" in page
    assert "from the revision in force on 2026-09-30, which may differ" in page
    assert "as `pmkit report --period 2026-10` shows them" in pages["reports/2026-10.md"]


def test_staff_and_hiring_pages_hold_no_private_field(site):
    pages, _ = site
    staff, hiring = pages["staff.md"], pages["hiring.md"]
    assert "@" not in staff and "dor.example.gov" not in staff
    for name in ("Tanya Greer", "Samir Nasser", "recruit.dor.example.gov", "Strong SQL"):
        assert all(name not in page for page in pages.values())
    assert "Candidates who reached each stage" in hiring


def test_invalid_data_shows_no_figures(program_copy):
    root = program_copy(FIXTURES / "minimal")
    path = root / "projects" / "payroll.yaml"
    path.write_text(path.read_text().replace("owner: ann", "owner: nobody"))
    data = load(root, use_cache=False)
    assert data.errors and data.model is None and data.document is None
    pages = render_site(data.model, data.document, data.findings, data.as_of)
    assert set(pages) == {path for _, path in NAV}
    for title, path in NAV:
        if path != "data-quality.md":
            assert "Figures unavailable until the errors are fixed" in pages[path]
            assert not re.search(r"\$\d|\d%", pages[path]), path
    assert "unknown-reference" in pages["data-quality.md"]
    assert "projects/payroll.yaml" in pages["data-quality.md"]


def test_an_error_among_the_findings_alone_withholds_the_figures(site):
    from pmkit.core.findings import Finding, Severity

    data = load(PROGRAM, use_cache=False)
    broken = [*data.findings, Finding("projects/x.yaml", 1, 1, "yaml-syntax", "bad", Severity.ERROR)]
    pages = render_site(data.model, data.document, broken, data.as_of)
    assert "Figures unavailable" in pages["index.md"] and "projects/erp-replacement.md" not in pages


# ---------------------------------------------------------------- escaping


@pytest.mark.parametrize("raw, shown", [
    ("plain words", "plain words"),
    ("a <b> & c", "a &lt;b&gt; &amp; c"),
    ("**bold** _em_", "&#42;&#42;bold&#42;&#42; &#95;em&#95;"),
    ("[x](javascript:alert(1))", "&#91;x&#93;&#40;javascript:alert&#40;1&#41;&#41;"),
    ("a | b", "a &#124; b"),
    ("line one\nline two\n\n# three", "line one line two &#35; three"),
    ("`code` \\ !", "&#96;code&#96; &#92; &#33;"),
    ("{: onclick=x }", "&#123;: onclick&#61;x &#125;"),
    ("- item", "&#45; item"),
    ("1. first", "1&#46; first"),
    ("2026-10-31 ends", "2026-10-31 ends"),
    ("tab\there\x00\u202e", "tab here"),
])
def test_md_text(raw, shown):
    assert str(text.md_text(raw)) == shown


def test_md_cell_is_never_empty():
    assert str(text.md_cell("")) == "—" and str(text.md_cell(None)) == "—"
    assert "|" not in str(text.md_cell("a | b"))


@pytest.mark.parametrize("url, linked", [
    ("https://example.org/x?a=1&b=2", True),
    ("http://example.org", True),
    ("javascript:alert(1)", False),
    ("JaVaScRiPt:alert(1)", False),
    (" javascript:alert(1)", False),
    ("data:text/html,<script>alert(1)</script>", False),
    ("vbscript:msgbox(1)", False),
    ("//evil.example/x", False),
    ("https:evil", False),
    ("https://exa mple.org", False),
])
def test_links_only_to_http_urls(url, linked):
    shown = str(text.link(url, "the rule"))
    assert shown.startswith("[the rule](") is linked
    if not linked:
        assert "](" not in shown


def test_a_linked_url_cannot_leave_its_markdown_or_attribute():
    shown = str(text.link('https://example.org/a?x="><script>alert(1)</script>) [y](z', "r"))
    href = shown[len("[r]("):-1]
    assert not set(href) & set('"<>()[] \'`')


def test_number_formats():
    assert str(text.money("1234.50", "USD")) == "$1,234.50"
    assert str(text.money("-75000.00", "USD")) == "-$75,000.00"
    assert str(text.money("10.00", "CHF")) == "10.00 CHF"
    assert str(text.money_short("18825000.00", "USD")) == "$18.8M"
    assert str(text.percent(69.36)) == "69.4%" and str(text.percent(None)) == "—"
    # a no-break space: number and unit never wrap apart on a phone
    assert str(text.points(-4.51)) == "-4.5\u00a0pts" and str(text.points(0)) == "0.0\u00a0pts"
    assert str(text.index(1.1423)) == "1.14"


def test_as_of_defaults_to_the_status_date():
    assert load(PROGRAM, use_cache=False).as_of == dt.date(2026, 10, 31)
    assert load(PROGRAM, dt.date(2026, 9, 30), use_cache=False).as_of == dt.date(2026, 9, 30)


def test_compliance_chart_is_sorted_from_zero_with_whole_labels(site):
    pages, document = site
    svg = pages["charts/compliance.svg"]
    assert "…" not in svg
    labels = re.findall(r'<text x="8" y="\d+">([^<]+)</text>', svg)
    rules = document["compliance"]["rules"].values()
    share = {r["title"]: r["acknowledged"] / r["applicable"] for r in rules if r["applicable"]}
    assert len(labels) == len(share) and [share[text.md_text(x).replace("&#58;", ":")] if False else share[x]
                                          for x in labels] == sorted(share.values())
    assert re.search(r'<text x="[\d.]+" y="\d+">0%</text>', svg)  # the scale starts at 0


def test_the_funnel_counts_who_reached_each_stage(site):
    pages, _ = site
    desc = re.search(r"<desc[^>]*>([^<]*)</desc>", pages["charts/hiring-funnel.svg"])[1]
    counts = [int(n) for n in re.findall(r"(\d+)(?:;|\.|,| \()", desc)][:6]
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1]


def test_every_open_milestone_on_the_timeline_names_its_project(site):
    pages, document = site
    svg = pages["charts/timeline.svg"]
    names = {pid: row["name"] for pid, row in document["projects"].items()}
    open_ones = [m for m in document["milestones"] if m["status"] != "done"]
    assert open_ones
    for m in open_ones:
        assert re.search(rf">[^<]*{re.escape(text.md_text(names[m['project']]))}[^<]*· {m['due']} ·", svg) or \
            re.search(rf">[^<]*{re.escape(names[m['project']])}[^<]*· {m['due']} ·", svg), m["id"]


def test_compliance_names_who_is_overdue_pending_or_expired(site):
    pages, document = site
    page = pages["compliance.md"]
    section = page[page.index("## Who is behind"):page.index("## By team")]
    rows = {line.split(" | ")[0][2:]: line.split(" | ")[1:] for line in section.splitlines()
            if line.startswith("| ") and not line.startswith("| Rule")}
    for rule in document["compliance"]["rules"].values():
        cells = rows.get(rule["title"])
        if not (rule["overdue"] or rule["expired"] or rule["pending"]):
            assert cells is None
            continue
        for state, cell in zip(("overdue", "expired", "pending"), cells, strict=True):
            named = re.findall(r"pmkit-nowrap\">\d{4}-\d\d-\d\d<", cell)
            assert len(named) == rule[state], (rule["title"], state)
    # hand-checked in program/: Kyle Harrington owes the generative AI rule since 2026-09-15
    assert "Kyle Harrington <span class=\"pmkit-muted pmkit-nowrap\">2026-09-15</span>" in \
        rows["Generative AI acceptable use"][0]


def test_the_budget_burn_runs_to_the_program_end(site):
    """Issue 12: actual to the as-of month, planned value over the whole plan, the EAC forecast to the end."""
    pages, doc = site
    svg = pages["charts/budget-burn.svg"]
    program = doc["program"]
    end = dt.date.fromisoformat(program["end"])
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    labels = re.findall(r'<text x="[^"]+" y="280">([^<]+)</text>', svg)
    assert labels[-1] == f"{months[end.month - 1]} {end.year}"  # the axis reaches the program's end month
    plan = re.search(r'<polyline class="planned" points="([^"]+)"', svg)
    forecast = re.search(r'<polyline class="forecast" points="([^"]+)"', svg)
    assert plan and forecast
    assert len(plan.group(1).split()) == len(program["planned_value_by_month"])
    # the plan and the forecast both end at the program's end month
    assert forecast.group(1).split()[-1].split(",")[0] == plan.group(1).split()[-1].split(",")[0]
    # the rollup's EAC (the counted projects) and what the cancelled print-center spent: 16,480,224.31 + 156,378.50
    assert ("Forecast at completion: 16,636,602.81 USD by Jun 2027 (EAC of the counted projects 16,480,224.31 USD, "
            "plus 156,378.50 USD spent on cancelled projects).") in svg


def test_earned_schedule_beside_the_cost_forecast(site):
    """Issue 12: ES, SPI(t) and the forecast finish on the dashboard and every measured project page."""
    pages, doc = site
    shown = [("index.md", doc["program"])] + [(f"projects/{pid}.md", row) for pid, row in doc["projects"].items()
                                              if row["counted"]]
    for path, row in shown:
        page = pages[path]
        section = page[page.index("### Forecast finish (earned schedule)"):]
        section = section[:section.index("{ .pmkit-note }")]
        es = row["earned_schedule"]
        if es["spi_t"] is None:  # not started as of the date: nothing to forecast, shown as a dash
            assert "| **Forecast finish** | **—** |" in section, path
            continue
        assert f"**<span class=\"pmkit-nowrap\">{es['forecast_finish']}</span>**" in section, path
        assert f"| Earned schedule (ES) | {es['es']:.0f}&nbsp;days |" in section, path
        assert f"(SPI(t)) | {es['spi_t']:.2f} |" in section, path
        assert f"| Actual time (AT) | {es['at']}&nbsp;days |" in section, path
        assert "Estimate at completion (EAC, CPI-based) | $" in section, path
    program_es = doc["program"]["earned_schedule"]
    # the example program is behind in time: SV(t) negative, forecast after the planned end
    assert program_es["sv_t"] < 0 and program_es["forecast_finish"] > doc["program"]["end"]
    for pid, row in doc["projects"].items():
        if not row["counted"]:
            assert "### Forecast finish" not in pages[f"projects/{pid}.md"]


def test_a_note_class_is_on_a_line_of_its_own(site):
    """attr_list reads `{ .pmkit-note }` only alone on the paragraph's last line: glued to the
    text (a `{% endif %}` ending the line above eats its newline) the reader sees it literally."""
    pages, _ = site
    glued = [(path, line) for path, content in pages.items() if path.endswith(".md")
             for line in content.splitlines() if "{ .pmkit-note }" in line and line.strip() != "{ .pmkit-note }"]
    assert glued == []
