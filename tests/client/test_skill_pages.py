""""Use a skill now" over HTTP without JavaScript: the card offers it, "I'm struggling" offers it first,
the guided screens are GET links, every rating is skippable and nothing is preselected, only the final
POST stores the one skill-use record, a high rating shows crisis resources first and flags once."""
import re

from sqlalchemy import func, select

import db
from core import templates as core_templates
from db import consent, links, plans
from db.tables import safety_flags, skill_uses
from tests.client.helpers import TTL, browser, forms, now, open_link, post_pairs, seen
from tests.conftest import make_reachable, open_flags

BY_KEY = core_templates.by_key(core_templates.BUILT_IN)


def card_link(people, steps):
    plans.create_plan(people["clara"], people["client_clara"], goal="Calmer days", steps=steps, now=now())
    make_reachable(people["client_clara"], now())
    return links.issue_for(people["clara"], people["client_clara"], "card", now=now(), ttl_days=TTL)


def skill_form(response, _hint=""):
    """The page's skill form (the stop control is the other form)."""
    [found] = [f for f in forms(response) if f.action.startswith("/c/card/skill/")]
    return found


def uses() -> list[dict]:
    with db.read() as conn:
        return [dict(r) for r in conn.execute(select(skill_uses).order_by(skill_uses.c.id)).mappings()]


def flags() -> int:
    with db.read() as conn:
        return conn.execute(select(func.count()).select_from(safety_flags)).scalar()


def href(response, text_pattern: str) -> str:
    m = re.search(rf'href="([^"]+)"[^>]*>\s*{text_pattern}', response.text)
    assert m, seen(response)[:600]
    return m.group(1).replace("&amp;", "&")


def start(tc, people, steps=None, *, struggling=False):
    steps = steps or [BY_KEY["thought_record"]["step"], BY_KEY["grounding"]["step"], BY_KEY["breathing"]["step"]]
    card = open_link(tc, card_link(people, steps))
    if struggling:
        card = tc.get("/c/card?struggling=1")
    return card


def test_skill_use_from_struggling_walks_grounding_one_sense_per_screen_and_saves_one_record(sqlite_db, people):
    tc = browser()
    struggling = start(tc, people, struggling=True)
    body = seen(struggling)
    # "Use a skill now" comes first, before the first step's card
    assert body.index("Use a skill now") < body.index("park the car")
    choose = tc.get(href(struggling, "Use a skill now"))
    assert choose.status_code == 200
    names = seen(choose)
    assert "name 5 things" in names and "breathe slowly" in names and "write down one upsetting" not in names
    before_page = tc.get(href(choose, "name 5 things"))
    f = skill_form(before_page, "/c/card/skill/")
    assert f.value("before") is None  # nothing preselected
    assert uses() == []
    guide = post_pairs(tc, f.action, f.fill(before="7"))
    assert guide.status_code == 303 and uses() == []  # the rating alone stores nothing
    screen = tc.get(guide.headers["location"])
    senses = []
    for _ in range(5):
        senses.append(re.search(r"<h2>(.*?)</h2>", screen.text, re.S).group(1).strip())
        nxt = re.search(r'href="([^"]+)">Next<', screen.text)
        if not nxt:
            break
        screen = tc.get(nxt.group(1).replace("&amp;", "&"))
    assert "5 things you can see" in senses[0]
    assert "4 things you can hear" in senses[1] and "1 thing you can taste" in senses[4]
    after = tc.get(href(screen, "I'm done"))
    f = skill_form(after, "/after")
    assert f.value("after") is None
    done = post_pairs(tc, f.action, f.fill(after="3", helped="yes"))
    assert done.status_code == 200, seen(done)
    text = seen(done)
    assert "not monitored in real time" in text and "Samaritans" in text
    assert "You practised on 1 day this week" in text
    [use] = uses()
    assert (use["before"], use["after"], use["helped"], use["struggling"]) == (7, 3, True, True)
    assert use["duration_s"] is not None and use["duration_s"] >= 0
    # a double tap (the same form again) keeps the one record
    again = post_pairs(tc, f.action, f.fill(after="3", helped="yes"))
    assert "already saved" in seen(again) and len(uses()) == 1


def test_skill_use_with_every_rating_skipped_is_saved_with_nothing_rated(sqlite_db, people):
    tc = browser()
    card = start(tc, people)
    choose = tc.get(href(card, "Use a skill now"))
    f = skill_form(tc.get(href(choose, "breathe slowly")), "/c/card/skill/")
    guide = tc.get(post_pairs(tc, f.action, f.defaults()).headers["location"])
    assert "Breathe in slowly through your nose, counting 1 to 4" in seen(guide)
    assert 'class="breath-circle"' in guide.text
    after = tc.get(href(guide, "I'm done"))
    f = skill_form(after, "/after")
    done = post_pairs(tc, f.action, f.fill(helped="skip"))
    assert done.status_code == 200
    [use] = uses()
    assert (use["before"], use["after"], use["helped"], use["struggling"]) == (None, None, None, False)


def test_skill_after_form_sent_as_found_saves_nothing(sqlite_db, people):
    """A scanner that submits forms as found presses no button: no answer, nothing saved."""
    tc = browser()
    card = start(tc, people)
    f = skill_form(tc.get(href(tc.get(href(card, "Use a skill now")), "breathe slowly")), "/c/card/skill/")
    guide = tc.get(post_pairs(tc, f.action, f.defaults()).headers["location"])
    f = skill_form(tc.get(href(guide, "I'm done")), "/after")
    answer = post_pairs(tc, f.action, f.defaults())
    assert answer.status_code == 400 and "Please tap one of the buttons" in seen(answer) and uses() == []


def test_skill_safety_level_before_shows_crisis_first_and_flags_once_for_the_episode(sqlite_db, people):
    tc = browser()
    card = start(tc, people)
    f = skill_form(tc.get(href(tc.get(href(card, "Use a skill now")), "name 5 things")), "/c/card/skill/")
    first = tc.get(post_pairs(tc, f.action, f.fill(before="10")).headers["location"])
    body = seen(first)
    assert body.index("If you need help now") < body.index("Look around")
    assert flags() == 1 and open_flags(people["clara"]) == {people["client_clara"]: 1}
    # the back button and the same rating again: still one flag
    post_pairs(tc, f.action, f.fill(before="10"))
    assert flags() == 1
    after = tc.get(href(first, "I'm done"))
    fa = skill_form(after, "/after")
    done = post_pairs(tc, fa.action, fa.fill(after="9", helped="no"))
    assert seen(done).index("If you need help now") < seen(done).index("Thank you")
    assert flags() == 1 and len(uses()) == 1


def test_skill_safety_level_after_alone_flags_and_shows_crisis_first(sqlite_db, people):
    tc = browser()
    card = start(tc, people)
    f = skill_form(tc.get(href(tc.get(href(card, "Use a skill now")), "breathe slowly")), "/c/card/skill/")
    guide = tc.get(post_pairs(tc, f.action, f.fill(before="4")).headers["location"])
    assert flags() == 0 and "If you need help now" in seen(guide)  # the usual crisis box, below
    fa = skill_form(tc.get(href(guide, "I'm done")), "/after")
    done = post_pairs(tc, fa.action, fa.fill(after="9", helped="no"))
    assert flags() == 1 and seen(done).index("If you need help now") < seen(done).index("Thank you")


def test_skill_use_after_withdrawal_in_another_tab_saves_nothing(sqlite_db, people):
    tc = browser()
    card = start(tc, people)
    f = skill_form(tc.get(href(tc.get(href(card, "Use a skill now")), "breathe slowly")), "/c/card/skill/")
    guide = tc.get(post_pairs(tc, f.action, f.fill(before="5")).headers["location"])
    fa = skill_form(tc.get(href(guide, "I'm done")), "/after")
    consent.withdraw_for(people["clara"], people["client_clara"], now=now())
    answer = post_pairs(tc, fa.action, fa.fill(after="2", helped="yes"))
    assert uses() == [] and "You have stopped taking part" in seen(answer)


def test_skill_state_edited_in_the_address_is_refused(sqlite_db, people):
    tc = browser()
    card = start(tc, people)
    f = skill_form(tc.get(href(tc.get(href(card, "Use a skill now")), "breathe slowly")), "/c/card/skill/")
    location = post_pairs(tc, f.action, f.fill(before="5")).headers["location"]
    tampered = location.replace(".5.", ".0.")
    assert tampered != location
    answer = tc.get(tampered)
    assert answer.status_code == 303 and answer.headers["location"].endswith(f.action)


def test_skill_not_marked_usable_in_the_moment_cannot_be_used(sqlite_db, people):
    tc = browser()
    start(tc, people)
    with db.read() as conn:
        from db.tables import plan_steps, step_versions
        sid = conn.execute(select(plan_steps.c.id).join(step_versions, step_versions.c.step_id == plan_steps.c.id)
                           .where(step_versions.c.template_key == "thought_record")).scalar()
    assert "This link isn't working" in seen(tc.get(f"/c/card/skill/{sid}"))


def test_skill_before_rating_out_of_range_gets_a_calm_message_and_keeps_the_page(sqlite_db, people):
    tc = browser()
    card = start(tc, people)
    f = skill_form(tc.get(href(tc.get(href(card, "Use a skill now")), "breathe slowly")), "/c/card/skill/")
    for bad in ("11", "-1", "3.5", "NaN", "1e309"):
        answer = post_pairs(tc, f.action, f.fill(before=bad))
        assert answer.status_code == 400 and "Please choose a number from 0 to 10" in seen(answer), bad
    assert uses() == [] and flags() == 0


def test_skill_small_wins_line_after_a_skill_use_and_off_when_the_clinician_turns_it_off(sqlite_db, people):
    from db import skill_uses as skill_db
    tc = browser()
    card = start(tc, people)
    f = skill_form(tc.get(href(tc.get(href(card, "Use a skill now")), "breathe slowly")))
    guide = tc.get(post_pairs(tc, f.action, f.defaults()).headers["location"])
    fa = skill_form(tc.get(href(guide, "I'm done")))
    assert "You practised on 1 day this week" in seen(post_pairs(tc, fa.action, fa.fill(helped="skip")))
    skill_db.set_small_wins(people["clara"], people["client_clara"], False, now=now())
    f = skill_form(tc.get(href(tc.get("/c/card/skill"), "breathe slowly")))
    guide = tc.get(post_pairs(tc, f.action, f.defaults()).headers["location"])
    fa = skill_form(tc.get(href(guide, "I'm done")))
    done = seen(post_pairs(tc, fa.action, fa.fill(helped="skip")))
    assert "Saved" in done and "You practised on" not in done and "missed" not in done


def test_skill_small_wins_line_after_a_practised_check_in(sqlite_db, people):
    from tests.client.test_checkin_pages import minimal, setup as checkin_setup
    tc = browser()
    done = seen(minimal(tc, open_link(tc, checkin_setup(people))))
    assert "You practised on 1 day this week. Every practice counts." in done


SKILL_HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))", "a\x00b",
                 "\u202egnp.exe", "x" * 5000, "-1", "11", "3.5", "NaN", "1e309", "", "=cmd|' /C calc'!A0",
                 "7\r\nX-Evil: 1", "../../etc/passwd"]


def test_skill_hostile_values_in_every_new_field_are_refused_calmly_or_saved_safely(sqlite_db, people):
    tc = browser()
    card = start(tc, people)
    before_page = tc.get(href(tc.get(href(card, "Use a skill now")), "breathe slowly"))
    f = skill_form(before_page)
    for field in ("before", "idempotency_key", "started", "struggling"):
        for bad in SKILL_HOSTILE:
            answer = post_pairs(tc, f.action, f.fill(**{field: bad}))
            assert answer.status_code in (303, 400), (field, bad, answer.status_code)
            assert "<script>alert" not in answer.text and "<img src=x" not in answer.text
    from urllib.parse import urlencode
    lone = tc.post(f.action, content=urlencode(f.fill(before="X")).replace("before=X", "before=%ED%A0%80").encode(),
                   headers={"Content-Type": "application/x-www-form-urlencoded"})  # a lone surrogate, as bytes
    assert lone.status_code == 400
    state_url = post_pairs(tc, f.action, f.fill(before="5")).headers["location"]
    fa = skill_form(tc.get(href(tc.get(state_url), "I'm done")))
    for field in ("after", "helped", "s"):
        for bad in SKILL_HOSTILE:
            answer = post_pairs(tc, fa.action, fa.fill(**{field: bad}, **({} if field == "helped" else {"helped": "no"})))
            assert answer.status_code in (200, 400), (field, bad, answer.status_code)
            assert "<script>alert" not in answer.text and "<img src=x" not in answer.text
    for bad in SKILL_HOSTILE:  # the sealed state in a guided screen's address
        assert tc.get(f"/c/card/skill/{f.action.rsplit('/', 1)[1]}/guide/1", params={"s": bad}).status_code == 303
    rows = uses()
    assert all(r["before"] in (None, 5) and r["after"] in (None,) + tuple(range(11)) for r in rows)
    assert len(rows) <= 2  # at most the one state's use (and a blank-key one is refused)
