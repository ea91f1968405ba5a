"""The rollup says where its figures come from and when undated values are later than as_of."""

from __future__ import annotations

import dataclasses

from pmkit.rollup import as_json, compute, provenance

from .builders import D, model, project


def dated(status_date: str | None):
    m = model(project("p"))
    return dataclasses.replace(m, program=dataclasses.replace(m.program, status_date=D(status_date) if status_date else None))


def test_folder_as_of_the_status_date_has_no_note():
    prov = as_json(compute(dated("2026-06-30"), D("2026-06-30")))["provenance"]
    assert prov == {"revision": None, "revision_date": None, "status_date": "2026-06-30",
                    "undated_as_of_files": False, "note": None}


def test_folder_before_the_status_date_says_undated_values_are_later():
    prov = as_json(compute(dated("2026-06-30"), D("2026-03-31")))["provenance"]
    assert prov["undated_as_of_files"] is True
    assert prov["note"] == ("Undated values (task progress, risk status, candidate stages and funding status) are "
                            "those of the files as they stand (status date 2026-06-30), later than 2026-03-31: "
                            "they are not known as of 2026-03-31.")


def test_without_status_date_today_is_the_files_date():
    assert provenance(dated(None), D("2026-03-31"), today=D("2026-04-01")).undated_as_of_files is True
    assert provenance(dated(None), D("2026-04-01"), today=D("2026-04-01")).undated_as_of_files is False


def test_a_revision_on_or_before_d_is_as_of_its_own_date():
    # the revision in force on D was committed on or before D: its undated values are not later than D
    p = provenance(dated("2026-06-28"), D("2026-06-30"), "a" * 40, D("2026-06-29"))
    assert (p.revision, p.revision_date, p.undated_as_of_files, p.note) == ("a" * 40, D("2026-06-29"), False, None)
