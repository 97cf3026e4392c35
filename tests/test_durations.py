import pytest

from bot.durations import find_durations


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        ("Wait 4 hours, then 24-48 hours without alcohol.", ["4 hours", "24–48 hours"]),
        ("Two weeks, or 1 to 2 weeks for some.", ["2 weeks", "1–2 weeks"]),
        ("You can exercise straight away; others say the rest of the day.", ["straight away", "the rest of the day"]),
        ("A 3-month wait and 30 minutes of ice.", ["3 months", "30 minutes"]),
        ("At least 48 hrs and 7–10 days.", ["48 hours", "7–10 days"]),
        ("No time frame here.", []),
    ],
)
def test_labels(text, labels):
    assert [d.label for d in find_durations(text)] == labels


def test_hours_allow_ordering():
    week, day = find_durations("1 week then 1 day")
    assert week.low == 168 and day.low == 24
