from datetime import timedelta

import pytest

from workflow.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("30m", timedelta(minutes=30)),
        ("25h", timedelta(hours=25)),
        ("3d", timedelta(days=3)),
        ("1d2h", timedelta(days=1, hours=2)),
        ("1d2h30m5s", timedelta(days=1, hours=2, minutes=30, seconds=5)),
    ],
)
def test_durations_in_the_scenario_format_parse(text, expected):
    assert parse_duration(text) == expected
    assert parse_duration(format_duration(expected)) == expected


@pytest.mark.parametrize("text", ["", "5", "h", "3x", "-1d", "2h1d", "1h1h", "0s", "1.5h"])
def test_malformed_durations_are_refused_with_the_text(text):
    with pytest.raises(ValueError, match="duration|units|zero"):
        parse_duration(text)
