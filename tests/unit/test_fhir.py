"""core/fhir.py from plain dicts: every instrument's Bundle validates with the fhir.resources R4B models;
WHO-5 (no LOINC code) is coded in our local system; answers carry their scores (WHO-5's are printed
from 5 down to 0) and read back exactly."""
from datetime import datetime, timezone

import pytest
from fhir.resources.R4B.bundle import Bundle

from core import fhir, measures

AT = datetime(2026, 11, 2, 9, 30, tzinfo=timezone.utc)


def one(code: str, answers: list[int]) -> tuple[dict, object]:
    s = measures.score(code, answers)
    response = {"id": 7, "measure": code, "submitted_at": AT, "answers": answers, "total": s.total, "band": s.band}
    data = fhir.bundle(patient="p" * 32, name=None, responses=[response], exported_at=AT)
    return response, Bundle.model_validate(data)


@pytest.mark.parametrize("code", list(measures.MEASURES))
def test_fhir_bundle_of_each_instrument_validates_and_reads_back(code):
    m = measures.MEASURES[code]
    answers = [m.values[i % len(m.values)] for i in range(len(m.items))]
    response, bundle = one(code, answers)
    patient, questionnaire, qr, total = (e.resource for e in bundle.entry)
    assert [int(i.answer[0].valueCoding.code) for i in qr.item] == answers
    assert total.valueInteger == response["total"] and total.derivedFrom[0].reference == bundle.entry[2].fullUrl
    assert qr.subject.reference == total.subject.reference == bundle.entry[0].fullUrl
    assert len(questionnaire.item) == len(m.items) and questionnaire.url == qr.questionnaire


def test_fhir_who5_total_has_no_loinc_code_so_it_uses_the_local_system():
    _, bundle = one("who5", [5, 4, 3, 2, 1])
    total = bundle.entry[3].resource
    assert (total.code.coding[0].system, total.code.coding[0].code) == (fhir.LOCAL_TOTALS, "who5-total")
    assert total.valueInteger == 60  # 4 x 15
    first = bundle.entry[2].resource.item[0].answer[0].valueCoding
    assert (first.code, first.display) == ("5", "All of the time")
    assert bundle.entry[1].resource.code is None  # no LOINC panel either


def test_fhir_pcl5_and_phq9_use_their_loinc_codes():
    _, pcl = one("pcl5", [1] * 20)
    assert pcl.entry[3].resource.code.coding[0].code == "101698-9"
    assert pcl.entry[1].resource.code[0].code == "101697-1"
    _, phq = one("phq9", [0] * 9)
    assert phq.entry[3].resource.code.coding[0].code == "44261-6"


def test_fhir_opaque_id_is_stable_per_key_and_client():
    assert fhir.opaque_id("k", 1) == fhir.opaque_id("k", 1) != fhir.opaque_id("k", 2) != fhir.opaque_id("j", 2)
