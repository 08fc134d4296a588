"""The opening-hours and delivery-weekday grammar shared by imports, the API and pages."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.services import opening_hours as oh
from app.services.routing import opening_intervals

SPLIT = [["08:00", "12:00"], ["14:00", "18:00"]]


def test_issue_example_reads_weekdays_ranges_two_intervals_and_saturday():
    """Tests the example of the import template, and that unnamed days are closed."""
    doc = oh.parse_opening_hours("seg-sex 08:00-12:00 14:00-18:00; sáb 08:00-12:00")
    assert doc == {
        "mon": SPLIT,
        "tue": SPLIT,
        "wed": SPLIT,
        "thu": SPLIT,
        "fri": SPLIT,
        "sat": [["08:00", "12:00"]],
        "sun": [],
    }


@pytest.mark.parametrize(
    ("text", "expected_open"),
    [
        ("SEG,QUA 8:00-12:00", {"mon", "wed"}),
        ("Mon-Wed 08h-12h", {"mon", "tue", "wed"}),
        ("sab-seg 09:00-13:00", {"sat", "sun", "mon"}),
        ("Segunda-feira 07:30-11:00; sexta 07:30-11:00", {"mon", "fri"}),
        ("seg - sex 08:00 - 18:00", {"mon", "tue", "wed", "thu", "fri"}),
        ("seg-dom 00:00-24:00; ", set(oh.WEEKDAY_KEYS)),
    ],
)
def test_accepts_accents_case_english_lists_and_wrapping_ranges(text, expected_open):
    """Tests the spellings real spreadsheets use."""
    doc = oh.parse_opening_hours(text)
    assert {day for day, spans in doc.items() if spans} == expected_open


def test_fechado_closes_a_day_and_blank_means_no_restriction():
    """Tests the two ways to say nothing: closed, and blank (no restriction)."""
    doc = oh.parse_opening_hours("seg-sex 08:00-18:00; sáb fechado")
    assert doc["sat"] == []
    assert doc["sun"] == []
    assert oh.parse_opening_hours("  ") == {}
    assert oh.parse_opening_hours(None) == {}
    assert opening_intervals({}, 6) == [(0, 24 * 3600)]
    assert opening_intervals(doc, 5) == []


@pytest.mark.parametrize(
    "text",
    [
        "segxx 08:00-12:00",
        "seg 08:00",
        "seg 12:00-08:00",
        "seg 08:00-10:00 09:00-12:00",
        "seg 07:00-08:00 09:00-10:00 11:00-12:00",
        "seg 25:00-26:00",
        "seg 08:00-12:00; seg 14:00-18:00",
        "08:00-12:00",
    ],
)
def test_rejects_what_it_cannot_read(text):
    """Tests that a malformed cell is an error, never a silent guess."""
    with pytest.raises(oh.FormatError):
        oh.parse_opening_hours(text)


def test_weekdays_parse_and_format():
    """Tests delivery weekdays in list and range form, and their canonical text."""
    assert oh.parse_weekdays("seg,qua,sex") == 0b0010101
    assert oh.parse_weekdays("seg-sex") == 0b0011111
    assert oh.parse_weekdays("Ter, Qui") == 0b0001010
    assert oh.format_weekdays(0b0011111) == "seg-sex"
    assert oh.format_weekdays(0b0010101) == "seg,qua,sex"
    assert oh.format_weekdays(0b1100011) == "seg,ter,sáb,dom"
    with pytest.raises(oh.FormatError):
        oh.parse_weekdays("")
    with pytest.raises(oh.FormatError):
        oh.parse_weekdays("seg,,qua")


_spans = st.sampled_from([[], [["08:00", "12:00"]], SPLIT, [["07:30", "19:00"]]])


@given(st.lists(_spans, min_size=7, max_size=7))
def test_format_then_parse_is_the_identity(days):
    """Tests that export then import of opening hours changes nothing."""
    doc = dict(zip(oh.WEEKDAY_KEYS, days, strict=True))
    assert oh.parse_opening_hours(oh.format_opening_hours(doc)) == doc


@given(st.integers(min_value=1, max_value=127))
def test_weekday_format_then_parse_is_the_identity(mask):
    """Tests that export then import of delivery weekdays changes nothing."""
    assert oh.parse_weekdays(oh.format_weekdays(mask)) == mask
