"""PHQ-9 and GAD-7 (both free to use): items, answers, scoring and published severity bands.

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


@dataclass(frozen=True)
class Wording:
    """One published language version of an instrument: its instructions, answers and items, verbatim."""
    lang: str
    stem: str
    answers: tuple[str, str, str, str]
    items: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class Measure:
    code: str
    title: str  # our short name for it (a catalog entry, core.i18n.N_), not the instrument's wording
    items: tuple[str, ...]
    bands: tuple[tuple[int, int, str], ...]  # (low, high, label), inclusive
    published: dict[str, Wording] = field(default_factory=dict)  # other languages' published versions

    @property
    def max_total(self) -> int:
        return 3 * len(self.items)

    def wording(self, lang: str) -> Wording:
        """The published version in `lang`, or the English one."""
        return self.published.get(lang) or Wording("en", STEM, ANSWERS, self.items,
                                                   "Spitzer, Williams, Kroenke et al.; phqscreeners.com")


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
)

MEASURES = {m.code: m for m in (PHQ9, GAD7)}


@dataclass(frozen=True)
class Score:
    measure: str
    total: int
    band: str
    safety_item_positive: bool  # PHQ-9 item 9 answered above "not at all"

    def explain(self) -> str:
        m = MEASURES[self.measure]
        low, high = next((lo, hi) for lo, hi, label in m.bands if label == self.band)
        return (f"{m.code.upper().replace('PHQ9', 'PHQ-9').replace('GAD7', 'GAD-7')} total {self.total} of "
                f"{m.max_total}: the sum of {len(m.items)} items scored 0–3; {low}–{high} is the published "
                f"'{self.band}' band.")


def validate(code: str, answers: list) -> dict[int, str]:
    """{item index: message} for missing or out-of-range answers (every item is required)."""
    if code not in MEASURES:
        return {-1: N_("Unknown questionnaire.")}
    m = MEASURES[code]
    problems = {}
    if not isinstance(answers, (list, tuple)) or len(answers) != len(m.items):
        return {-1: N_("Please answer all %(n)s questions.", n=len(m.items))}
    for i, a in enumerate(answers):
        if isinstance(a, bool) or not isinstance(a, int) or not 0 <= a <= 3:
            problems[i] = N_("Please choose one of the four answers.")
    return problems


def band(code: str, total: int) -> str:
    for low, high, label in MEASURES[code].bands:
        if low <= total <= high:
            return label
    raise ValueError(f"{code} total {total} is out of range")


def score(code: str, answers: list[int]) -> Score:
    problems = validate(code, answers)
    if problems:
        raise ValueError(f"invalid answers: {problems}")
    total = sum(answers)
    return Score(code, total, band(code, total), code == "phq9" and answers[8] > 0)
