"""A status report's period is the month its file is named after."""

from __future__ import annotations

from collections.abc import Iterator

from pmkit.domain.index import Index
from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity
from pmkit.core.kinds import PERIOD_PATTERN

CODE = Code(
    "report-period-mismatch", Severity.ERROR, "business",
    "A status report's `period` differs from its file name "
    "(reports/2026-05.yaml must say `period: 2026-05`). `pmkit report "
    "--period` finds the narrative by file name while the text says another "
    "month, so superiors would read one month's story next to another "
    "month's figures. This usually comes from copying last month's file. Fix "
    "`period`, or rename the file.",
    configurable=True,
)


def check(ix: Index) -> Iterator[Finding]:
    for report_id in sorted(ix.reports):
        report = ix.reports[report_id]
        period = report.data.get("period")
        if period == report_id or not PERIOD_PATTERN.match(report_id):
            continue  # a file name that is no period is `invalid-file-name`
        yield report.finding(
            CODE, f"{report.file} says `period: {period}`, but its file name is for {report_id}",
            f"set `period: {report_id}`, or rename the file to reports/{period}.yaml",
            at=("period",),
        )
