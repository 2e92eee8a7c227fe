"""Calendar arithmetic the rules share: one year later, business days between."""

from __future__ import annotations

import datetime as dt


def one_year_after(day: dt.date) -> dt.date:
    """The same date a year later; 29 February rolls to 1 March."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return dt.date(day.year + 1, 3, 1)


def business_days_between(start: dt.date, end: dt.date) -> int:
    """Monday-Friday days strictly after ``start`` and strictly before ``end``.

    Public holidays are not known here, so the count may be generous by a holiday or two.
    """
    days = 0
    day = start + dt.timedelta(days=1)
    while day < end:
        if day.weekday() < 5:
            days += 1
        day += dt.timedelta(days=1)
    return days
