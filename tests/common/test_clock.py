"""The clock seam: "today" is the Beijing date, eight hours ahead of the UTC one, and moving
time (the `clock` fixture, time-machine) moves both the seam and Django's own timezone.now,
which the model field defaults use."""

import datetime
import time

from django.utils import timezone

from guanxi.common import clock as seam


def at(text):
    return datetime.datetime.fromisoformat(text)


def utc_date():
    return seam.now().astimezone(datetime.UTC).date()


def test_before_midnight_in_beijing_both_dates_agree(clock):
    clock.move_to(at("2027-12-31T23:55+08:00"), tick=False)
    assert seam.localdate() == datetime.date(2027, 12, 31)
    assert utc_date() == datetime.date(2027, 12, 31)


def test_after_midnight_in_beijing_utc_is_still_the_old_year(clock):
    clock.move_to(at("2028-01-01T00:05+08:00"), tick=False)
    assert seam.localdate() == datetime.date(2028, 1, 1)
    assert utc_date() == datetime.date(2027, 12, 31)
    assert seam.now() == at("2027-12-31T16:05+00:00")
    assert seam.now().tzinfo is not None
    assert seam.localtime().utcoffset() == datetime.timedelta(hours=8)


def test_start_of_today_is_the_first_moment_of_the_beijing_day(clock):
    clock.move_to(at("2028-02-29T07:59+08:00"), tick=False)
    assert seam.start_of_today() == at("2028-02-29T00:00+08:00")
    assert seam.start_of_today() == at("2028-02-28T16:00+00:00")
    assert seam.start_of_day(datetime.date(2028, 3, 1)) == at("2028-03-01T00:00+08:00")


def test_django_and_the_seam_read_the_same_clock(clock):
    clock.move_to(at("2027-03-01T00:20+08:00"), tick=False)
    assert timezone.now() == seam.now() == at("2027-02-28T16:20+00:00")
    assert timezone.localdate() == seam.localdate() == datetime.date(2027, 3, 1)


def test_shifting_the_clock_crosses_midnight(clock):
    clock.move_to(at("2027-01-31T23:50+08:00"), tick=False)
    assert seam.localdate() == datetime.date(2027, 1, 31)
    clock.shift(datetime.timedelta(minutes=15))
    assert seam.localdate() == datetime.date(2027, 2, 1)
    assert seam.localtime().time() == datetime.time(0, 5)


def test_time_ticks_when_asked_to(clock):
    clock.move_to(at("2027-01-31T23:50+08:00"), tick=True)
    first = seam.now()
    time.sleep(0.01)
    assert seam.now() > first >= at("2027-01-31T23:50+08:00")
