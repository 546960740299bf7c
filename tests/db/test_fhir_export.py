"""FHIR R4 export of a client's questionnaires (issue 17): the Bundle validates with the fhir.resources
models (8.3.0's R4B package: see core/fhir.py) and gives back every total and every item answer that
is stored; the client is an opaque identifier unless the admin includes the name; admins of the
client's practice only; audited as an export."""
import json
import re
from datetime import timedelta

import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import select

import db
from core import fhir
from db import audit, links, measure_export, measures
from tests.conftest import NOW, make_reachable

KEY = "test-export-key"
PHQ = [[2, 2, 1, 3, 0, 1, 2, 1, 0], [1, 1, 1, 2, 0, 1, 1, 0, 0], [0, 1, 0, 1, 0, 0, 1, 0, 0]]
GAD = [[3, 2, 2, 1, 1, 2, 1], [2, 2, 1, 1, 0, 1, 1], [1, 0, 1, 0, 0, 1, 0]]
WHO = [[1, 2, 1, 0, 2], [2, 3, 2, 2, 3], [4, 4, 3, 5, 4]]
PCL = [[4, 3, 3, 2, 4, 3, 3, 1, 2, 2, 3, 2, 3, 2, 1, 0, 4, 3, 2, 3], [2, 2, 1, 1, 2, 2, 2, 0, 1, 1, 2, 1, 2, 1, 1, 0, 2, 2, 1, 2],
       [1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 1, 0, 1]]
WEEKS = {"phq9": PHQ, "gad7": GAD, "who5": WHO, "pcl5": PCL}
TOTAL_CODES = {"phq9": ("http://loinc.org", "44261-6"), "gad7": ("http://loinc.org", "70274-6"),
               "who5": (fhir.LOCAL_TOTALS, "who5-total"),
               "pcl5": ("http://loinc.org", "101698-9")}


def answered_weekly(people, codes=("phq9", "gad7")) -> int:
    """Clara's client answered these questionnaires on three weeks running."""
    cid = people["client_clara"]
    make_reachable(cid, NOW - timedelta(days=30))
    for code in codes:
        assert measures.assign(people["clara"], cid, code, "weekly", now=NOW - timedelta(days=21)) == {}
    for week in range(3):
        at = NOW - timedelta(days=21 - 7 * week)
        raw = links.issue_for(people["clara"], cid, "checkin", now=at, ttl_days={"checkin": 7})
        for a in measures.overview(people["clara"], cid, now=at)["assigned"]:
            answers = WEEKS[a["measure"]][week]
            assert measures.submit(raw, a["id"], answers, f"{a['measure']}-week-{week}-idempotency", now=at).status == "saved"
    return cid


def parsed(data: bytes) -> tuple[Bundle, dict[str, list]]:
    found = Bundle.model_validate_json(data)  # raises on anything the R4 models refuse
    kinds: dict[str, list] = {}
    for e in found.entry:
        kinds.setdefault(type(e.resource).__name__, []).append(e.resource)
    return found, kinds


def test_fhir_bundle_validates_and_round_trips_every_total_and_item_answer(database, people):
    cid = answered_weekly(people, codes=("phq9", "gad7", "who5", "pcl5"))
    data = measure_export.fhir_json(people["ada"], cid, include_name=False, now=NOW, key=KEY)
    bundle, kinds = parsed(data)
    assert bundle.type == "collection"
    assert sorted(q.id for q in kinds["Questionnaire"]) == ["gad7", "pcl5", "phq9", "who5"]

    stored = {r["id"]: r for r in measures.overview(people["clara"], cid, now=NOW)["responses"]}
    assert len(stored) == 12
    assert {r["total"] for r in stored.values() if r["measure"] == "who5"} == {24, 48, 80}  # 4 × the raw sum
    by_url = {e.fullUrl: e.resource for e in bundle.entry}
    back = {}
    for qr in kinds["QuestionnaireResponse"]:
        rid = int(qr.id.removeprefix("qr-"))
        back[rid] = {"measure": qr.questionnaire.rsplit(":", 1)[1], "answers": [int(i.answer[0].valueCoding.code) for i in qr.item],
                     "linkIds": [i.linkId for i in qr.item]}
    totals = {}
    for ob in kinds["Observation"]:
        (source,) = ob.derivedFrom
        qr = by_url[source.reference]
        totals[int(qr.id.removeprefix("qr-"))] = (ob.valueInteger, ob.code.coding[0].system, ob.code.coding[0].code)
    assert set(back) == set(stored) == set(totals)
    for rid, r in stored.items():
        assert back[rid]["measure"] == r["measure"]
        assert back[rid]["answers"] == r["answers"]  # every item answer, in item order
        assert back[rid]["linkIds"] == [str(i + 1) for i in range(len(r["answers"]))]
        assert totals[rid] == (r["total"], *TOTAL_CODES[r["measure"]])
    phq = next(q for q in kinds["Questionnaire"] if q.id == "phq9")
    assert phq.code[0].code == "44249-1"


def test_fhir_patient_is_opaque_unless_the_admin_includes_the_name(database, people):
    cid = answered_weekly(people)
    opaque = measure_export.fhir_json(people["ada"], cid, include_name=False, now=NOW, key=KEY)
    _, kinds = parsed(opaque)
    (patient,) = kinds["Patient"]
    assert patient.name is None and patient.identifier[0].value == fhir.opaque_id(KEY, cid)
    assert re.fullmatch(r"[0-9a-f]{32}", patient.identifier[0].value) and patient.id == patient.identifier[0].value
    for word in (b"Client of Clara", b"clara.client@example.org", b"Europe/London"):
        assert word not in opaque
    named = measure_export.fhir_json(people["ada"], cid, include_name=True, now=NOW, key=KEY)
    assert parsed(named)[1]["Patient"][0].name[0].text == "Client of Clara"
    # The same client, the same identifier; another key, another one.
    again = measure_export.fhir_json(people["ada"], cid, include_name=False, now=NOW + timedelta(days=1), key=KEY)
    assert json.loads(again)["entry"] == json.loads(opaque)["entry"]
    other = measure_export.fhir_json(people["ada"], cid, include_name=False, now=NOW, key="another key")
    assert fhir.opaque_id(KEY, cid) not in other.decode()


def test_fhir_export_is_for_the_practice_admin_only_and_audited(database, people):
    cid = answered_weekly(people)
    with pytest.raises(db.Forbidden):
        measure_export.fhir_json(people["clara"], cid, include_name=False, now=NOW, key=KEY)
    with pytest.raises(db.NotFound):
        measure_export.fhir_json(people["bea"], cid, include_name=False, now=NOW, key=KEY)  # another practice
    measure_export.fhir_json(people["ada"], cid, include_name=True, now=NOW, key=KEY)
    e = audit.audit_events
    with db.read() as conn:
        rows = conn.execute(select(e.c.action, e.c.actor_label, e.c.client_id, e.c.detail)
                            .where(e.c.action.in_(audit.EXPORTS))).all()
    assert [tuple(r) for r in rows] == [("measure.export", "ada", cid, "6 questionnaires as FHIR JSON, name included")]


def test_fhir_export_of_a_client_without_questionnaires_is_a_valid_bundle_with_the_patient_only(database, people):
    cid = people["client_clara"]
    _, kinds = parsed(measure_export.fhir_json(people["ada"], cid, include_name=False, now=NOW, key=KEY))
    assert list(kinds) == ["Patient"]
