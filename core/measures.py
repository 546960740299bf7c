"""The standard questionnaires, all free to use: PHQ-9, GAD-7, WHO-5 and PCL-5. Items, answers,
scoring and published bands, each with its licence and its codes for other systems in its definition.

Scores are stored item by item; the total and band are computed here, never typed by hand. Scores,
bands and the item-9 rule do not depend on the language the client answered in.

The words a client reads are the instrument's *published* version in their language (`Wording`),
never a translation of ours: a homemade translation is not the validated instrument. A language
without a published version we can vouch for gets the English one (marked `lang="en"` on the page).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from core.i18n import N_

ANSWERS = ("Not at all", "Several days", "More than half the days", "Nearly every day")  # scored 0..3
STEM = "Over the last 2 weeks, how often have you been bothered by the following problems?"
PHQ_SOURCE = "Spitzer, Williams, Kroenke et al.; phqscreeners.com"
# The PHQ screeners' own statement, on every form at phqscreeners.com.
PHQ_LICENCE = ("Free to use: \"No permission required to reproduce, translate, display or distribute\" "
               "(Pfizer Inc.; phqscreeners.com).")


@dataclass(frozen=True)
class Wording:
    """One published language version of an instrument: its instructions, answers and items, verbatim.
    `answers` are in the order the published form prints them (their scores: `Measure.values`)."""
    lang: str
    stem: str
    answers: tuple[str, ...]
    items: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class ChangeNorms:
    """The constants of Jacobson & Truax's (1991) reliable change index for one instrument, with their
    sources: `sd` (the standard deviation of a reference sample's total, in the total's own units) and
    `reliability` (r), or, where a paper publishes the reliable-change threshold itself, `published_points`
    (a change of that many points or more is reliable; S_diff = points / 1.96 for the index shown). `clinical_at` is the first total on the clinical side of the cut-off,
    counted from the healthy end: PHQ-9 10 means 10 and above is clinical; for an instrument where higher
    is better (WHO-5) 50 means 50 and below is clinical. core.reliable_change does the arithmetic."""
    clinical_at: int
    source: str
    sd: float | None = None
    reliability: float | None = None
    published_points: float | None = None


@dataclass(frozen=True)
class FixedPoints:
    """A published fixed-points rule (a practice may choose it instead, core.reliable_change): a change of
    `points` or more in either direction is reliable; `clinical_at` as in ChangeNorms."""
    points: int
    clinical_at: int
    source: str


@dataclass(frozen=True)
class Measure:
    """One instrument. `values[i]` is the score of the i-th printed answer; an item's score is one of
    them; the total is `multiplier` × the sum of the items (WHO-5 reports its raw 0–25 as 0–100)."""
    code: str
    title: str  # our short name for it (a catalog entry, core.i18n.N_), not the instrument's wording
    items: tuple[str, ...]
    bands: tuple[tuple[int, int, str], ...]  # (low, high, label) of the total, inclusive
    published: dict[str, Wording] = field(default_factory=dict)  # other languages' published versions
    short: str = ""  # "PHQ-9"
    stem: str = STEM
    answers: tuple[str, ...] = ANSWERS
    values: tuple[int, ...] = (0, 1, 2, 3)
    multiplier: int = 1
    higher_is_better: bool = False  # WHO-5: a rise is an improvement
    safety_item: int | None = None  # index of the item whose answer above the lowest raises a safety flag
    source: str = PHQ_SOURCE
    licence: str = PHQ_LICENCE
    items_may_be_shown: bool = True  # the licence lets us print the item texts (to clients and clinicians)
    loinc_panel: str | None = None  # LOINC codes (loinc.org); None where none exists (said in the docstring)
    loinc_total: str | None = None
    change: ChangeNorms | None = None  # Jacobson & Truax constants, cited (core.reliable_change)
    fixed_points: FixedPoints | None = None  # the published fixed-points rule, cited
    # Our own words (core.i18n.N_ paragraphs) shown on a screen of their own before the items, for an
    # instrument whose items are distressing to read (PCL-5); empty: the items come straight away.
    intro: tuple[str, ...] = ()

    @property
    def item_max(self) -> int:
        return max(self.values)

    @property
    def max_total(self) -> int:
        return self.multiplier * self.item_max * len(self.items)

    def wording(self, lang: str) -> Wording:
        """The published version in `lang`, or the English one."""
        return self.published.get(lang) or Wording("en", self.stem, self.answers, self.items, self.source)


# The PHQ-9 for Spanish speakers in the USA, as published by the PHQ Screeners site (https://www.phqscreeners.com/,
# "PHQ-9, Spanish for the USA"; "Elaborado por los doctores Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke y
# colegas, mediante una subvención educativa otorgada por Pfizer Inc. No se requiere permiso para reproducir,
# traducir, presentar o distribuir."). Checked word for word against the text of that PDF
# ("PatientHealthQuestionnaire9_Spanish", as reproduced at es.studenta.com/content/129686767), and item 9 against
# several independent copies. Verbatim, including the "(a)" endings, the dashes and item 8's punctuation;
# tests/unit/test_measures.py pins item 9.
PHQ9_ES = Wording(
    "es",
    "Durante las últimas 2 semanas, ¿qué tan seguido ha tenido molestias debido a los siguientes problemas?",
    ("Ningún día", "Varios días", "Más de la mitad de los días", "Casi todos los días"),
    (
        "Poco interés o placer en hacer cosas",
        "Se ha sentido decaído(a), deprimido(a) o sin esperanzas",
        "Ha tenido dificultad para quedarse o permanecer dormido(a), o ha dormido demasiado",
        "Se ha sentido cansado(a) o con poca energía",
        "Sin apetito o ha comido en exceso",
        "Se ha sentido mal con usted mismo(a) – o que es un fracaso o que ha quedado mal con usted mismo(a) o con "
        "su familia",
        "Ha tenido dificultad para concentrarse en ciertas actividades, tales como leer el periódico o ver la "
        "televisión",
        "¿Se ha movido o hablado tan lento que otras personas podrían haberlo notado? o lo contrario – muy "
        "inquieto(a) o agitado(a) que ha estado moviéndose mucho más de lo normal",
        "Pensamientos de que estaría mejor muerto(a) o de lastimarse de alguna manera",
    ),
    "PHQ-9, Spanish for the USA (Pfizer Inc.; phqscreeners.com), verbatim",
)

PHQ9 = Measure(
    "phq9", N_("PHQ-9 (mood over the last two weeks)"),
    (
        "Little interest or pleasure in doing things",
        "Feeling down, depressed, or hopeless",
        "Trouble falling or staying asleep, or sleeping too much",
        "Feeling tired or having little energy",
        "Poor appetite or overeating",
        "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety "
        "or restless that you have been moving around a lot more than usual",
        "Thoughts that you would be better off dead or of hurting yourself in some way",
    ),
    ((0, 4, "minimal"), (5, 9, "mild"), (10, 14, "moderate"), (15, 19, "moderately severe"), (20, 27, "severe")),
    {"es": PHQ9_ES},
    short="PHQ-9", safety_item=8,
    loinc_panel="44249-1", loinc_total="44261-6",  # LOINC "PHQ-9 quick depression assessment panel", "PHQ-9 total score"
    # Reliable change (Jacobson & Truax 1991, whose s1 may be the SD of "a normal population"): SD 3.5 from the
    # German general-population norms, Kocalevent, Hinz & Brähler (2013), Gen Hosp Psychiatry 35:551-555, abstract
    # (3.5 for women and for men alike); r = 0.89, Cronbach's alpha in Kroenke, Spitzer & Williams (2001),
    # J Gen Intern Med 16:606-613, Results (PHQ Primary Care Study). Cut-off 10: Kroenke et al. (2001), abstract
    # (>= 10: sensitivity 88%, specificity 88% for major depression). These give 1.96 x S_diff = 3.2, so a change of
    # 4 points is reliable. Published values disagree: the IAPT manual's 6 points (below) rest on the larger SD
    # of people starting therapy. We keep the general-population SD for the default because Jacobson & Truax
    # allow it and its source is one we could check; a practice wanting the stricter threshold picks the
    # fixed-points rule.
    change=ChangeNorms(
        clinical_at=10, sd=3.5, reliability=0.89,
        source="SD 3.5: Kocalevent, Hinz & Brähler (2013), General Hospital Psychiatry 35:551-555, general-population "
               "norms (abstract: 3.5 for women and men); r 0.89: Cronbach's alpha, Kroenke, Spitzer & Williams (2001), J Gen Intern "
               "Med 16:606-613, Results; cut-off 10: Kroenke et al. (2001), abstract (sensitivity and specificity 88% "
               "for major depression)"),
    # IAPT (NHS Talking Therapies) rule: reliable change is a change of 6 or more; caseness is 10 or more.
    fixed_points=FixedPoints(
        points=6, clinical_at=10,
        source="NHS Talking Therapies (IAPT) Manual, National Collaborating Centre for Mental Health, measuring "
               "outcomes appendix: PHQ-9 reliable change 6 points or more, caseness 10 or more"),
)

# GAD-7 in Spanish: not included. Its published Spanish version (phqscreeners.com) could not be checked word
# for word here, so a Spanish-speaking client gets the English GAD-7 rather than wording we cannot vouch for.
GAD7 = Measure(
    "gad7", N_("GAD-7 (worry and anxiety over the last two weeks)"),
    (
        "Feeling nervous, anxious, or on edge",
        "Not being able to stop or control worrying",
        "Worrying too much about different things",
        "Trouble relaxing",
        "Being so restless that it is hard to sit still",
        "Becoming easily annoyed or irritable",
        "Feeling afraid, as if something awful might happen",
    ),
    ((0, 4, "minimal"), (5, 9, "mild"), (10, 14, "moderate"), (15, 21, "severe")),
    short="GAD-7",
    loinc_panel="69737-5", loinc_total="70274-6",  # LOINC "GAD-7 panel", "GAD-7 total score"
    # Reliable change: SD 3.5 and alpha 0.89 from one sample, Löwe et al. (2008), Medical Care 46:266-274, abstract
    # (general population, n = 5030: SD 3.5 for women, 3.2 for men; alpha 0.89 in every subgroup). We take the
    # larger SD, which gives the more cautious threshold: 1.96 x S_diff = 3.2, a change of 4 points, the same as
    # the IAPT manual's. Cut-off 10: Spitzer, Kroenke, Williams & Löwe (2006), Arch Intern Med 166:1092-1097
    # (sensitivity 89%, specificity 82%). The IAPT manual uses 8 as its caseness for anxiety (fixed points).
    change=ChangeNorms(
        clinical_at=10, sd=3.5, reliability=0.89,
        source="SD 3.5 and r 0.89 (Cronbach's alpha): Löwe et al. (2008), Medical Care 46:266-274, abstract "
               "(general population; the larger of the women's and men's SDs); cut-off 10: Spitzer, Kroenke, "
               "Williams & Löwe (2006), Archives of Internal Medicine 166:1092-1097, Results"),
    fixed_points=FixedPoints(
        points=4, clinical_at=8,
        source="NHS Talking Therapies (IAPT) Manual, National Collaborating Centre for Mental Health, measuring "
               "outcomes appendix: GAD-7 reliable change 4 points or more, caseness 8 or more"),
)

# WHO-5 Well-Being Index (1998 version), as published by the Psychiatric Research Unit, Mental Health Centre North
# Zealand (psykiatri-regionh.dk/who-5); items, answers (printed from "All of the time" = 5 down to "At no time" = 0)
# and scoring as in Topp, Østergaard, Søndergaard & Bech (2015), "The WHO-5 Well-Being Index: a systematic review of
# the literature", Psychotherapy and Psychosomatics 84:167-176, Table 1: raw score 0-25 multiplied by 4 gives 0-100.
# Bands from the same review: <= 50 "poor well-being" (screen for depression), <= 28 "likely depression". Free to
# use without permission (the Unit's own statement). No LOINC panel or total code for the WHO-5 was found (searched
# loinc.org, November 2026): the FHIR export codes it with Anchorstep's own system instead.
WHO5 = Measure(
    "who5", N_("WHO-5 (well-being over the last two weeks)"),
    (
        "I have felt cheerful and in good spirits",
        "I have felt calm and relaxed",
        "I have felt active and vigorous",
        "I woke up feeling fresh and rested",
        "My daily life has been filled with things that interest me",
    ),
    ((0, 28, "very low (likely depression: assess)"), (29, 50, "low (screen for depression)"), (51, 100, "not low")),
    short="WHO-5",
    stem="Please indicate for each of the five statements which is closest to how you have been feeling over the "
         "last two weeks.",
    answers=("All of the time", "Most of the time", "More than half of the time", "Less than half of the time",
             "Some of the time", "At no time"),
    values=(5, 4, 3, 2, 1, 0), multiplier=4, higher_is_better=True,
    # Reliable change: raw SD 5.26 (x 4 = 21.04 on the 0-100 scale) and alpha 0.87 from one primary-care sample,
    # Saipanish, Lotrakul & Sumrithe (2009), Psychiatry Clin Neurosci 63:141-146, abstract (Thai version, n = 274).
    # 1.96 x S_diff = 21.0, a change of 24 points (scores move in steps of 4); an independent estimate agrees: the
    # minimal detectable change of 23.6 points in Danish outpatients (Health and Quality of Life Outcomes, 2018).
    # The WHO-5's own scoring instructions (on the form, Psychiatric Research Unit) say "a 10% difference indicates
    # a significant change" (10 points on 0-100): smaller than the measurement error above, so it is the
    # fixed-points rule, not the default. Cut-off: 50 and below is poor well-being (Topp et al. 2015, above).
    change=ChangeNorms(
        clinical_at=50, sd=21.04, reliability=0.87,
        source="SD 5.26 raw (21.04 on 0-100) and r 0.87 (Cronbach's alpha): Saipanish et al. (2009), Psychiatry and "
               "Clinical Neurosciences 63:141-146, abstract; cut-off 50 and below (poor well-being): Topp, "
               "Østergaard, Søndergaard & Bech (2015), Psychotherapy and Psychosomatics 84:167-176"),
    fixed_points=FixedPoints(
        points=10, clinical_at=50,
        source="the WHO-5's own scoring instructions (1998 version, Psychiatric Research Unit, Mental Health Centre "
               "North Zealand): \"a 10% difference indicates a significant change\" (10 points); 50 and below is "
               "poor well-being: Topp et al. (2015), Psychotherapy and Psychosomatics 84:167-176"),
    source="WHO-5 Well-Being Index (1998 version), Psychiatric Research Unit, Mental Health Centre North Zealand",
    licence="Free to use without permission (Psychiatric Research Unit, Mental Health Centre North Zealand; "
            "psykiatri-regionh.dk/who-5).",
)

# Anchorstep's words before the PCL-5's items (not the instrument's): what it asks about, that it can be hard to
# read, that stopping is fine and saves nothing, and that nobody watches the answers as they arrive.
PCL5_INTRO = (
    N_("This questionnaire asks about problems people sometimes have after a very stressful experience: "
       "upsetting memories, bad dreams, feeling on guard, and how they get on with others and with sleep."),
    N_("Some people find these questions hard to read. Take your time. You can stop at any point and come back "
       "to it later from your check-in page: nothing is saved until you send your answers."),
    N_("Your answers are not monitored in real time: your clinician reads them before your next session, not as "
       "they arrive. The page after you send lists who to contact if you need help now."),
)

# PCL-5, the PTSD Checklist for DSM-5 (Weathers, Litz, Keane, Palmieri, Marx & Schnurr, 2013; National Center for
# PTSD, ptsd.va.gov), past-month version without the criterion A part: 20 items scored 0 (Not at all) to 4
# (Extremely), total 0-80. A work of the US Department of Veterans Affairs, in the public domain: the item texts may be
# printed. Band: the National Center for PTSD's provisional cut-off of 31-33 (Bovin et al., 2016, Psychological
# Assessment 28:1379-1391); we use 33, the upper end, as its guidance suggests when false positives matter. LOINC:
# panel 101697-1 "Post traumatic stress disorder checklist - civilian version DSM-5 [PCL-5]", total 101698-9
# "PTSD PCL-5 score" (LOINC 2.75 and later).
PCL5 = Measure(
    "pcl5", N_("PCL-5 (stress after a very stressful experience, past month)"),
    (
        "Repeated, disturbing, and unwanted memories of the stressful experience?",
        "Repeated, disturbing dreams of the stressful experience?",
        "Suddenly feeling or acting as if the stressful experience were actually happening again (as if you were "
        "actually back there reliving it)?",
        "Feeling very upset when something reminded you of the stressful experience?",
        "Having strong physical reactions when something reminded you of the stressful experience (for example, heart "
        "pounding, trouble breathing, sweating)?",
        "Avoiding memories, thoughts, or feelings related to the stressful experience?",
        "Avoiding external reminders of the stressful experience (for example, people, places, conversations, "
        "activities, objects, or situations)?",
        "Trouble remembering important parts of the stressful experience?",
        "Having strong negative beliefs about yourself, other people, or the world (for example, having thoughts "
        "such as: I am bad, there is something seriously wrong with me, no one can be trusted, the world is "
        "completely dangerous)?",
        "Blaming yourself or someone else for the stressful experience or what happened after it?",
        "Having strong negative feelings such as fear, horror, anger, guilt, or shame?",
        "Loss of interest in activities that you used to enjoy?",
        "Feeling distant or cut off from other people?",
        "Trouble experiencing positive feelings (for example, being unable to feel happiness or have loving feelings "
        "for people close to you)?",
        "Irritable behavior, angry outbursts, or acting aggressively?",
        "Taking too many risks or doing things that could cause you harm?",
        "Being \"superalert\" or watchful or on guard?",
        "Feeling jumpy or easily startled?",
        "Having difficulty concentrating?",
        "Trouble falling or staying asleep?",
    ),
    ((0, 32, "below the provisional PTSD cut-off"), (33, 80, "at or above the provisional PTSD cut-off")),
    short="PCL-5",
    stem="Below is a list of problems that people sometimes have in response to a very stressful experience. Please "
         "read each problem carefully and then indicate how much you have been bothered by that problem in the past "
         "month.",
    answers=("Not at all", "A little bit", "Moderately", "Quite a bit", "Extremely"),
    values=(0, 1, 2, 3, 4),
    source="PCL-5 (Weathers et al., 2013; National Center for PTSD)",
    licence="Public domain: a work of the US Department of Veterans Affairs, National Center for PTSD "
            "(ptsd.va.gov).",
    loinc_panel="101697-1", loinc_total="101698-9",
    # Reliable change: Marx, Lee, Norman, Bovin et al. (2022), Psychological Assessment 34:197-203, abstract,
    # computed Jacobson & Truax's index for the PCL-5 in veterans: 15 points (sample 1) and 18 (sample 2), and
    # criterion c: 28 and below is more likely non-PTSD. We take 15 (the sample with more people, n = 198) and, for
    # the cut-off, 33, the upper end of the National Center for PTSD's provisional 31-33 (Bovin et al. 2016,
    # Psychological Assessment 28:1379-1391), the same cut-off as the bands above, so "recovered" matches them.
    # Other reliability figures (test-retest r .82, Blevins et al. 2015; .84, Bovin et al. 2016) are not used: the
    # papers' SDs could not be checked here, and Marx et al. published the threshold itself.
    change=ChangeNorms(
        clinical_at=33, published_points=15,
        source="reliable change 15 points: Marx et al. (2022), Psychological Assessment 34:197-203, abstract "
               "(Jacobson & Truax index, veterans, sample 1); cut-off 33: Bovin et al. (2016), Psychological "
               "Assessment 28:1379-1391 (provisional 31-33, upper end)"),
    # National Center for PTSD, "Using the PTSD Checklist for DSM-5 (PCL-5)": 5 points is the minimum for a response
    # to treatment, 10 the minimum for a clinically meaningful improvement. We use 10: 5 is a third of the
    # reliable change Marx et al. computed (15), so calling 5 points "reliable" would overstate it.
    fixed_points=FixedPoints(
        points=10, clinical_at=33,
        source="National Center for PTSD, Using the PTSD Checklist for DSM-5 (PCL-5), ptsd.va.gov: 5 points the "
               "minimum for a response, 10 the minimum for a clinically meaningful improvement (10 used); cut-off 33 "
               "(provisional 31-33, upper end)"),
    intro=PCL5_INTRO,
)

MEASURES = {m.code: m for m in (PHQ9, GAD7, WHO5, PCL5)}


@dataclass(frozen=True)
class Score:
    measure: str
    total: int
    band: str
    safety_item_positive: bool  # the instrument's safety item (PHQ-9 item 9) answered above its lowest answer

    def explain(self) -> str:
        m = MEASURES[self.measure]
        low, high = next((lo, hi) for lo, hi, label in m.bands if label == self.band)
        how = (f"the sum of {len(m.items)} items scored 0–{m.item_max}" if m.multiplier == 1 else
               f"{m.multiplier} × the sum of {len(m.items)} items scored 0–{m.item_max}")
        return (f"{m.short} total {self.total} of {m.max_total}: {how}; {low}–{high} is the published "
                f"'{self.band}' band.")


def validate(code: str, answers: list) -> dict[int, str]:
    """{item index: message} for missing or out-of-range answers (every item is required: none of these
    instruments is scored with items missing here)."""
    if code not in MEASURES:
        return {-1: N_("Unknown questionnaire.")}
    m = MEASURES[code]
    problems = {}
    if not isinstance(answers, (list, tuple)) or len(answers) != len(m.items):
        return {-1: N_("Please answer all %(n)s questions.", n=len(m.items))}
    for i, a in enumerate(answers):
        if isinstance(a, bool) or not isinstance(a, int) or a not in m.values:
            problems[i] = N_("Please choose one of the answers.")
    return problems


def minutes(code: str) -> int:
    """About how long the instrument takes, so the client is told honestly before starting. PCL-5: "It takes
    approximately 5-10 minutes to complete" (National Center for PTSD's description of the PCL-5, as given on
    ptsd.va.gov and ISTSS's "PTSD Checklist for DSM-5" page, istss.org); we say "up to 10". The others: about
    two (9 items or fewer)."""
    return 10 if len(MEASURES[code].items) > 10 else 2


def assignable() -> list[str]:
    """The instruments a clinician may send to a client: only those whose licence lets us print the items
    (a client cannot answer questions we may not show them)."""
    return [code for code, m in MEASURES.items() if m.items_may_be_shown]


def item_text(code: str, index: int) -> str:
    """Item `index` (0-based) as it may be printed outside the client's own questionnaire: its text where
    the instrument's licence lets us print its items, else just "Item 3" (the one place this rule lives)."""
    m = MEASURES[code]
    return m.items[index] if m.items_may_be_shown else f"Item {index + 1}"


def item_label(code: str, index: int) -> str:
    """How item `index` (0-based) is named wherever a clinician reads it (pages, summaries, exports): "3. Trouble
    relaxing", or just "Item 3" where the licence forbids the text (`item_text`)."""
    text = item_text(code, index)
    return text if not MEASURES[code].items_may_be_shown else f"{index + 1}. {text}"


def item_scores(code: str, answers: list[int]) -> list[tuple[str, int]]:
    """(item label, score) for each stored answer, in item order; labels from `item_label`."""
    return [(item_label(code, i), a) for i, a in enumerate(answers)]


def band(code: str, total: int) -> str:
    for low, high, label in MEASURES[code].bands:
        if low <= total <= high:
            return label
    raise ValueError(f"{code} total {total} is out of range")


def score(code: str, answers: list[int]) -> Score:
    problems = validate(code, answers)
    if problems:
        raise ValueError(f"invalid answers: {problems}")
    m = MEASURES[code]
    total = m.multiplier * sum(answers)
    return Score(code, total, band(code, total),
                 m.safety_item is not None and answers[m.safety_item] > min(m.values))
