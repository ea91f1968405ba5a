"""The hiring funnel counts everyone who reached each stage: never more at a stage than before it."""

from __future__ import annotations

from pmkit.core.vocabulary import FUNNEL_STAGES as FUNNEL
from pmkit.rollup.people import funnel_reached


def test_hand_worked_funnel():
    candidates = [
        ("applied", False),        # applied
        ("screening", False),      # applied, screening
        ("interview", True),       # .. interview
        ("shortlisted", True),     # .. shortlisted
        ("offer", True),           # .. offer
        ("hired", True),           # .. hired
        ("rejected", True),        # applied, screening, interview (an interview on file)
        ("rejected", False),       # applied only
        ("withdrawn", False),      # applied only
    ]
    assert funnel_reached(candidates) == {
        "applied": 9, "screening": 6, "interview": 5, "shortlisted": 3, "offer": 2, "hired": 1,
    }


def test_the_funnel_never_widens():
    # current-stage counts 1, 0, 3, 0, 2, 1 are not monotonic; the funnel is
    candidates = [("applied", False)] + [("interview", True)] * 3 + [("offer", True)] * 2 + [("hired", True)]
    counts = [funnel_reached(candidates)[s] for s in FUNNEL]
    assert counts == [7, 6, 6, 3, 3, 1]
    assert counts == sorted(counts, reverse=True)
    assert funnel_reached([]) == dict.fromkeys(FUNNEL, 0)
