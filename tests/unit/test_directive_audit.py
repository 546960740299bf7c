"""The homework audit, table-driven: realistic directives and exactly the rules each must trigger."""
import pytest

from core import directive_audit as audit

A, ABS, VERB, DUR, LONG, MULTI, TRIG = ("no_anchor", "abstract_wording", "no_observable_verb", "no_duration",
                                        "too_long_for_level_1", "multiple_behaviours", "trigger_not_routine")

DIRECTIVES = [
    # the seed's own examples
    ("try to relax", {A, ABS, VERB, DUR}),
    ("practice mindful breathing for three minutes after your morning commute", set()),
    # good ones
    ("After I pour my morning coffee, breathe in for 4 and out for 6 for 3 minutes", set()),
    ("After I brush my teeth at night, write one line about something that went well (2 minutes)", set()),
    ("After I park the car at work, name 5 things I can see, for 2 minutes", set()),
    ("Right after lunch, walk around the block for 10 minutes", set()),
    ("After I switch off the TV, read a paper book for 5 minutes", set()),
    ("Once I sit down at my desk, list three tasks for today in 2 minutes", set()),
    ("After dinner, call or text one friend for five minutes", set()),
    ("After I make my bed, stretch for 4 minutes", set()),
    ("Before I open email in the morning, write the day's one priority for 1 minute", set()),
    ("After I feed the cat, sit by the window and breathe slowly for 3 mins", {MULTI}),
    ("After I get home from work, write down my worries for 10 minutes", set()),
    ("After I put the kids to bed, dim the lights for 5 minutes", set()),
    ("After my shower, scan my body from toes to head for 5 minutes", set()),
    ("When I get into bed, count 10 slow breaths for 2 minutes", set()),
    ("After I close the laptop, spend 3 minutes writing a kind note to myself", set()),
    ("As soon as I finish breakfast, read the coping card for 1 minute", set()),
    # no anchor
    ("Breathe slowly for three minutes each morning", {A}),
    ("Write a thought record every day for 5 minutes", {A}),
    ("Go for a 10 minute walk", {A}),
    # abstract wording
    ("After I wake up, try to be more positive for 5 minutes", {ABS, VERB}),
    ("Think positive after breakfast", {ABS, VERB, DUR}),
    ("Work on your self-esteem after dinner for 10 minutes", {ABS, VERB}),
    ("Use the breathing exercise as needed", {A, ABS, DUR}),
    ("After I get home, relax for 10 minutes", {ABS, VERB}),
    ("After lunch, try to practise grounding for 3 minutes", {ABS}),
    ("Be more mindful during the day", {A, ABS, VERB, DUR}),
    ("Stop worrying so much", {A, ABS, VERB, DUR}),
    # no observable verb
    ("After I wake up, be present for a few minutes", {VERB}),
    ("After breakfast, self-care for 5 minutes", {VERB}),
    # duration
    ("After I get home, write in my journal", {DUR}),
    ("After dinner, walk for 45 minutes", {LONG}),
    ("After I drop the kids at school, practise the body scan for 20 minutes", {LONG}),
    ("After I wake up, meditate for an hour", {LONG, VERB}),
    # more than one behaviour
    ("After dinner, walk for 5 minutes and then call my sister", {MULTI}),
    ("After I brush my teeth, write three worries and read them aloud, 5 minutes", {MULTI}),
    ("After lunch, stretch for 3 minutes, then list tomorrow's tasks", {MULTI}),
    # triggers instead of routines
    ("When I feel anxious, breathe slowly for 3 minutes", {TRIG}),
    ("Whenever I notice panic rising, name 5 things I can see for 2 minutes", {TRIG}),
    ("When I feel overwhelmed, try to relax", {TRIG, ABS, VERB, DUR}),
    ("If I feel low, call a friend for 10 minutes", {A}),
    ("When I get stressed at work, write down the thought (2 minutes)", {TRIG}),
    # several at once
    ("Do your homework", {A, DUR}),
    ("Relax more", {A, ABS, VERB, DUR}),
]


def test_the_table_is_big_enough():
    assert len(DIRECTIVES) >= 40


@pytest.mark.parametrize("text,expected", DIRECTIVES, ids=[d[0][:40] for d in DIRECTIVES])
def test_each_directive_triggers_exactly_its_rules(text, expected):
    assert audit.rule_names(audit.audit_directive(text)) == expected


def test_every_finding_explains_itself_and_suggests_a_fix():
    for rule in audit.RULES:
        f = audit.finding(rule)
        assert f.title and len(f.why) > 30 and len(f.fix) > 15


def test_the_trigger_rule_explains_the_difference_from_an_anchor():
    why = audit.finding("trigger_not_routine").why
    assert "trigger" in why and "routine" in why


GOOD_STEP = {"anchor": "pour my morning coffee", "behaviour": "breathe in for 4 and out for 6", "duration_min": 3,
             "days": [0, 1, 2, 3, 4], "window_start": "07:00", "window_end": "08:00", "level": 1,
             "barrier": "I'm running late", "if_then": "If I'm late, I'll do three breaths by the kettle",
             "no_barrier": False}


@pytest.mark.parametrize("change,expected", [
    ({}, set()),
    ({"anchor": ""}, {A}),
    ({"anchor": "feel anxious"}, {TRIG}),
    ({"behaviour": "try to relax"}, {ABS, VERB}),
    ({"duration_min": None}, {DUR}),
    ({"duration_min": 15}, {LONG}),
    ({"duration_min": 15, "level": 2}, set()),
    ({"days": []}, {"no_time_window"}),
    ({"window_start": None}, {"no_time_window"}),
    ({"barrier": "", "if_then": ""}, {"no_barrier_plan"}),
    ({"barrier": "", "if_then": "", "no_barrier": True}, set()),
    ({"behaviour": "walk for 5 minutes and call my sister"}, {MULTI}),
])
def test_structured_steps_are_audited_field_by_field(change, expected):
    assert audit.rule_names(audit.audit_step({**GOOD_STEP, **change})) == expected
