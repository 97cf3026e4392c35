"""Time since treatment (bot/timing.py): phrases patients use, read against a fixed `now`."""

import datetime as dt

import pytest

from bot.timing import describe, elapsed

# Wednesday 12 March 2025, 15:00.
NOW = dt.datetime(2025, 3, 12, 15, 0)
H, D = dt.timedelta(hours=1), dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("had botox 2 hours ago, can i lie down", 2 * H),
        ("filler an hour ago and my lips are huge", 1 * H),
        ("half an hour ago i had my lips done", 0.5 * H),
        ("botox 30 mins ago", dt.timedelta(minutes=30)),
        ("got my tox yesterday", 1 * D),
        ("had it done the day before yesterday", 2 * D),
        ("yesterday afternoon i had filler", NOW - dt.datetime(2025, 3, 11, 14, 0)),
        ("had filler this morning", 6 * H),
        ("botox at lunch today", 2.5 * H),
        ("had my lips done last night", NOW - dt.datetime(2025, 3, 11, 21, 0)),
        ("had filler last tuesday", 1 * D),  # the most recent Tuesday
        ("had filler last wednesday", 7 * D),
        ("had filler last Monday", 2 * D),
        ("my lipo was on friday", 5 * D),
        ("a week ago i had a facelift", 7 * D),
        ("a couple of days ago", 2 * D),
        ("a few weeks ago i had botox", 21 * D),
        ("3 days after my filler my lip went white", 3 * D),
        ("it's been 4 days since my botox", 4 * D),
        ("5 days post op and my calf hurts", 5 * D),
        ("day 3 post op tummy tuck", 3 * D),
        ("im on day 6 after lipo", 6 * D),
        ("two weeks after rhinoplasty", 14 * D),
        ("my implants were put in 8 years ago", 8 * 365 * D),
        ("had botox last week", 7 * D),
        ("i just had my lips done", dt.timedelta(0)),
        ("had botox 2 hours ago and filler yesterday", 2 * H),  # the first statement counts
    ],
)
def test_phrases_patients_use(text, expected):
    assert elapsed(text, NOW) == expected


@pytest.mark.parametrize(
    "text",
    [
        "can i fly 3 days after my filler?",
        "how long after botox can i exercise",
        "is it ok to drink 24 hours after lip filler",
        "when can i wear makeup after microneedling",
        "my appointment is on wednesday",
        "",
        "how many days should i wait before the gym",
    ],
)
def test_no_statement_of_when(text):
    assert elapsed(text, NOW) is None


def test_this_morning_before_morning_is_not_negative():
    early = dt.datetime(2025, 3, 12, 7, 0)
    assert elapsed("had botox this morning", early) == dt.timedelta(0)


def test_time_zone_aware_now():
    now = NOW.replace(tzinfo=dt.timezone.utc)
    assert elapsed("had filler this morning", now) == 6 * H


def test_describe():
    assert describe(dt.timedelta(minutes=20)) == "20 minutes"
    assert describe(5 * H) == "5 hours"
    assert describe(3 * D) == "3 days"
    assert describe(21 * D) == "3 weeks"
    assert describe(200 * D) == "7 months"
