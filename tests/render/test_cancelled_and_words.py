"""A cancelled project is out of progress; counts read as English."""

from decimal import Decimal

from pmkit.app.render.views import gap, planned
from pmkit.app.site.text import md_message, plural
from pmkit.core.wording import count


def test_cancelled_project_has_no_planned_and_no_gap() -> None:
    row = {"status": "cancelled", "progress": 38.3, "planned": 100}
    assert planned(row) is None
    assert gap(row) is None


def test_active_project_gap_is_progress_minus_planned() -> None:
    row = {"status": "active", "progress": 38.3, "planned": 44.1}
    assert planned(row) == 44.1
    assert gap(row) == Decimal("-5.8")


def test_counts_are_singular_for_one_and_plural_otherwise() -> None:
    assert count(1, "day") == "1 day"
    assert count(8, "day") == "8 days"
    assert count(0, "milestone") == "0 milestones"
    assert str(plural(1, "milestone")) == "1 milestone"
    assert str(plural(2, "milestone")) == "2 milestones"


def test_code_spans_in_messages_are_code_not_backticks() -> None:
    shown = str(md_message("project `print-center` is late"))
    assert "`" not in shown and "&#96;" not in shown
    assert '<code class="pmkit-nobreak">print-center</code>' in shown


def test_negative_zero_is_never_shown() -> None:
    from pmkit.app.render import show
    from pmkit.app.site.text import money, percent, points
    assert show(Decimal("-0.00"), "money") == "0.00"
    assert show(Decimal("-0.04"), "percent") == "0.0%"
    assert str(money(Decimal("-0.00"))) == "$0.00"
    assert "-" not in str(points(Decimal("-0.01"))) and "-" not in str(percent(Decimal("-0.001")))
