"""Driving the client's HTML pages (client/, under /c/) in Chromium: open an emailed link and land on
the page's clean address, answer a check-in, count rows. Plain functions shared by tests/e2e and
tests/reliability; the pages are ordinary HTML forms, so a tap is a tap and a submit loads a page."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

# The address a link leaves for: its page (/c/consent, /c/checkin, ...) or the calm page.
LANDED = re.compile(r"^/c/(consent|checkin|card|preferences|checkup|link-problem)$")


def open_link(page, url: str) -> None:
    """Open an emailed link and wait for the page's clean address (the link answers a 303 to it)."""
    page.goto(url)
    page.wait_for_url(lambda u: bool(LANDED.match(urlsplit(u).path)))


def pick(page, group: str, option: str, *, tap: bool = False) -> None:
    """Choose `option` in the radio group (a fieldset) whose legend is `group`."""
    radio = page.get_by_role("group", name=group).get_by_label(option, exact=True)
    radio.tap() if tap else radio.check()


def minimal_check_in(page, status: str = "Done", mood: str = "6", distress: str = "3", *, tap: bool = False) -> None:
    pick(page, "How did it go?", status, tap=tap)
    pick(page, "Mood right now", mood, tap=tap)
    pick(page, "Distress or urge right now", distress, tap=tap)
    press(page, "Submit check-in", tap=tap)


def press(page, button: str, *, tap: bool = False) -> None:
    """Press a form's button and wait for the page the server answers with."""
    target = page.get_by_role("button", name=button)
    with page.expect_navigation():
        target.tap() if tap else target.click()


def tick_all(page, label: str = "I have read this and I understand") -> int:
    boxes = page.get_by_role("checkbox", name=label)
    for i in range(boxes.count()):
        boxes.nth(i).check()
    return boxes.count()


def scalar(server, sql: str, **params) -> str:
    """One value from the server's database (a count, a reason) as text."""
    return server.run_python(
        "import db; from sqlalchemy import text\n"
        "with db.read() as c:\n"
        f"    print(c.execute(text({sql!r}), {params!r}).scalar())").strip().splitlines()[-1]


def checkins_of(server, name: str) -> int:
    return int(scalar(server, "select count(*) from checkins k join clients c on c.id = k.client_id "
                              "where c.display_name = :n", n=name))
