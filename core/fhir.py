"""A client's questionnaires as a FHIR R4 Bundle (JSON-ready dicts; pure, no database).

The Bundle (type "collection") holds:
- one Patient, named by an opaque identifier only (`opaque_id`), unless the admin chose to include the
  client's name;
- one Questionnaire per instrument answered: its items and answers as Anchorstep shows them (English,
  the published wording), each answer coded with its score, and the instrument's LOINC panel code
  where one exists;
- one QuestionnaireResponse per administration, every item answered with its coded answer;
- one Observation per total score (category "survey"), coded with the instrument's LOINC total code
  (core/measures.py: `loinc_total`), derived from its QuestionnaireResponse.

Codes of our own: the WHO-5 has no LOINC code (core/measures.py says where we looked), so its total is
coded in Anchorstep's local code system `LOCAL_TOTALS` (`who5-total`); answers are coded in a local
system per instrument (`answer_system`) whose codes are the item scores ("0".."4"), so a receiving
system can re-score without our tables. Local systems are URNs: they name, they do not resolve.

FHIR version: R4. Tests validate with fhir.resources 8.3.0's R4B (4.3.0) models (it has no 4.0.1 package);
HL7's R4B explanation (hl7.org/fhir/R4B/r4b-explanation.html) keeps R4B compatible with R4 outside the
medication regulation, evidence and subscription modules, which none of these resources is in.

References between entries use `urn:uuid:` full URLs made from the opaque identifier and our row ids,
so exporting the same data twice gives the same Bundle (except its timestamp).
"""
from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import datetime

from core import measures as measure_rules

LOINC = "http://loinc.org"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
PATIENT_SYSTEM = "urn:anchorstep:client"  # the opaque identifier's system
LOCAL_TOTALS = "urn:anchorstep:codes:measure-total"  # totals without a LOINC code (WHO-5)
_NAMESPACE = uuid.UUID("6f1b3c55-0d5e-4b8a-9a51-4b1f5e8f2a17")  # Anchorstep's, for urn:uuid full URLs


def opaque_id(key: str, client_id: int) -> str:
    """A stable identifier that says nothing about the client and cannot be turned back into our row
    id without the key (HMAC-SHA256, 128 bits shown)."""
    return hmac.new(key.encode(), f"fhir-patient:{client_id}".encode(), hashlib.sha256).hexdigest()[:32]


def questionnaire_url(code: str) -> str:
    return f"urn:anchorstep:questionnaire:{code}"


def answer_system(code: str) -> str:
    return f"urn:anchorstep:codes:{code}-answer"


def total_coding(m: measure_rules.Measure) -> dict:
    """The total score's code: LOINC where one exists, otherwise our local one (WHO-5)."""
    if m.loinc_total:
        return {"system": LOINC, "code": m.loinc_total, "display": f"{m.short} total score"}
    return {"system": LOCAL_TOTALS, "code": f"{m.code}-total", "display": f"{m.short} total score"}


def _full_url(patient: str, kind: str, key: object) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{patient}/{kind}/{key}')}"


def _answer(m: measure_rules.Measure, value: int) -> dict:
    printed = m.answers[m.values.index(value)]
    return {"system": answer_system(m.code), "code": str(value), "display": printed}


def questionnaire(m: measure_rules.Measure) -> dict:
    q = {"resourceType": "Questionnaire", "id": m.code, "url": questionnaire_url(m.code),
         "name": m.code.upper(), "title": m.short, "status": "active", "subjectType": ["Patient"],
         "description": m.stem, "copyright": f"{m.source}. {m.licence}",
         "item": [{"linkId": str(i + 1), "text": measure_rules.item_text(m.code, i), "type": "choice", "required": True,
                   "answerOption": [{"valueCoding": _answer(m, v)} for v in sorted(m.values)]}
                  for i in range(len(m.items))]}
    if m.loinc_panel:
        q["code"] = [{"system": LOINC, "code": m.loinc_panel, "display": m.short}]
    return q


def _instant(at: datetime) -> str:
    return at.isoformat(timespec="seconds")


def bundle(*, patient: str, name: str | None, responses: list[dict], exported_at: datetime) -> dict:
    """The Bundle for one client. `responses`: dicts with id, measure, submitted_at, answers (item
    scores in item order) and total, oldest first; `name`: None unless the admin chose to include it."""
    patient_url = _full_url(patient, "Patient", patient)
    person = {"resourceType": "Patient", "id": patient, "identifier": [{"system": PATIENT_SYSTEM, "value": patient}]}
    if name:
        person["name"] = [{"text": name}]
    entries = [{"fullUrl": patient_url, "resource": person}]
    for code in sorted({r["measure"] for r in responses}):
        entries.append({"fullUrl": _full_url(patient, "Questionnaire", code),
                        "resource": questionnaire(measure_rules.MEASURES[code])})
    for r in responses:
        m = measure_rules.MEASURES[r["measure"]]
        qr_url = _full_url(patient, "QuestionnaireResponse", r["id"])
        when = _instant(r["submitted_at"])
        entries.append({"fullUrl": qr_url, "resource": {
            "resourceType": "QuestionnaireResponse", "id": f"qr-{r['id']}",
            "questionnaire": questionnaire_url(m.code), "status": "completed",
            "subject": {"reference": patient_url}, "authored": when,
            "item": [{"linkId": str(i + 1), "text": measure_rules.item_text(m.code, i),
                      "answer": [{"valueCoding": _answer(m, a)}]} for i, a in enumerate(r["answers"])]}})
        entries.append({"fullUrl": _full_url(patient, "Observation", r["id"]), "resource": {
            "resourceType": "Observation", "id": f"total-{r['id']}", "status": "final",
            "category": [{"coding": [{"system": CATEGORY, "code": "survey", "display": "Survey"}]}],
            "code": {"coding": [total_coding(m)], "text": f"{m.short} total score"},
            "subject": {"reference": patient_url}, "effectiveDateTime": when, "valueInteger": r["total"],
            "interpretation": [{"text": r["band"]}] if r.get("band") else [],
            "derivedFrom": [{"reference": qr_url}]}})
    for e in entries:  # FHIR JSON has no empty arrays
        if e["resource"].get("interpretation") == []:
            del e["resource"]["interpretation"]
    return {"resourceType": "Bundle", "id": str(uuid.uuid5(_NAMESPACE, f"{patient}/Bundle/{_instant(exported_at)}")),
            "type": "collection", "timestamp": _instant(exported_at), "entry": entries}
