from datetime import datetime, timedelta, timezone

from core.ratelimit import Limiter

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def test_a_flood_of_guesses_is_cut_off_and_the_window_slides():
    lim = Limiter(limit=20, window=timedelta(minutes=10))
    assert all(lim.allow("s1", T0 + timedelta(seconds=i)) for i in range(20))
    assert not lim.allow("s1", T0 + timedelta(seconds=30))
    assert lim.allow("s2", T0 + timedelta(seconds=30))  # another session is not affected
    assert lim.allow("s1", T0 + timedelta(minutes=10, seconds=1))
