"""Open311 GeoReport v2 writes (partners.open311): a partner files a request and posts
updates of the jobs referred to it (FixMyStreet's servicerequestupdates)."""

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from commandcenter.models import Event
from community.choices import AddressElement as E
from dispatch.models import Referral
from incidents.models import Incident
from partners.models import PartnerUpdate
from partners.open311_catalogue import SERVICE_ATTRIBUTES
from tests.community.conftest import add

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"
FORM = "application/x-www-form-urlencoded"


def post(path: str, key: str | None, headers: dict | None = None, **fields):
    if key is not None:
        fields["api_key"] = key
    return APIClient().post(f"{BASE}/{path}", fields, **(headers or {}))


def w3c(moment) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def filing(**fields) -> dict:
    return {
        "service_code": "complaint",
        "attribute[subject]": "street_vending",
        "lat": "30.015",
        "long": "120.005",
        "description": "门口占道摆摊",
        **fields,
    }


# --- Filing requests -------------------------------------------------------------------------


def test_a_partner_files_a_request_at_a_point(partner_key, users):
    response = post("requests.json", partner_key, **filing(phone="13912345678", last_name="李"))
    assert response.status_code == 201, response.content
    (answer,) = response.json()
    incident = Incident.objects.get(pk=answer["service_request_id"])
    assert (incident.source, incident.created_by, incident.status) == (
        "partner_api",
        users.partner,
        "diverted",
    )
    assert incident.description.startswith("门口占道摆摊\n")
    subject = dict(SERVICE_ATTRIBUTES["complaint"][0].values)["street_vending"]
    assert str(subject) in incident.description
    assert (incident.caller_phone, incident.caller_name) == ("13912345678", "李")
    assert answer["service_notice"] == incident.routing_reason
    # The partner reads what it filed, without the caller.
    (row,) = APIClient().get(f"{BASE}/requests/{incident.pk}.json", {"api_key": partner_key}).json()
    assert row["status"] == "open" and "13912345678" not in str(row)


def test_a_description_of_the_specs_length_is_kept_whole(partner_key):
    text = "门口占道摆摊" * 600  # 3,600: over the consoles' 2,000, within Open311's 4,000
    response = post("requests.json", partner_key, **filing(description=text))
    assert response.status_code == 201, response.content
    incident = Incident.objects.get(pk=response.json()[0]["service_request_id"])
    assert incident.description.startswith(text)


def test_a_request_in_xml_answers_service_requests(partner_key):
    response = post("requests.xml", partner_key, **filing())
    assert response.status_code == 201
    root = ElementTree.fromstring(response.content)
    assert root.tag == "service_requests"
    assert root.find("request/service_request_id").text.isdigit()


def test_a_request_by_address_string_takes_the_registry_point(partner_key, users):
    district_ = add(None, E.DISTRICT, "上城区", lat=30.005, lng=120.005)
    street = add(district_, E.STREET, "湖滨街道")
    community = add(street, E.COMMUNITY, "东坡路社区", lat=30.004, lng=120.004)
    compound = add(community, E.COMPOUND, "翠苑一区")
    fields = filing(address_string="翠苑一区")
    del fields["lat"], fields["long"]
    response = post("requests.json", partner_key, **fields)
    assert response.status_code == 201, response.content
    incident = Incident.objects.get(pk=response.json()[0]["service_request_id"])
    assert (incident.lat, incident.lng, incident.address) == (
        compound.lat,
        compound.lng,
        "翠苑一区",
    )
    by_code = filing(address_id=compound.code, description="又来了")
    del by_code["lat"], by_code["long"]
    response = post("requests.json", partner_key, **by_code)
    assert response.status_code == 201, response.content


def test_an_unknown_address_is_400(partner_key, district):
    fields = filing(address_string="不存在的地方")
    del fields["lat"], fields["long"]
    response = post("requests.json", partner_key, **fields)
    assert response.status_code == 400
    assert response.json()[0]["description"].startswith("address_string:")
    assert not Incident.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"description": "字" * 4001},
        {"lat": ""},
        {"lat": "abc"},
        {"lat": "95", "long": "120"},
        {"lat": "nan"},
        {"attribute[subject]": ""},
        {"attribute[subject]": "graffiti"},
        {"service_code": ""},
    ],
)
def test_bad_requests_are_400_and_write_nothing(partner_key, district, change):
    response = post("requests.json", partner_key, **filing(**change))
    assert response.status_code == 400, response.content
    assert all(error["code"] == 400 for error in response.json())
    assert not Incident.objects.exists()


def test_an_unknown_or_police_service_is_404(partner_key, district):
    for code in ("graffiti", "criminal"):
        response = post("requests.json", partner_key, **filing(service_code=code))
        assert response.status_code == 404
        assert response.json()[0]["code"] == 404
    assert not Incident.objects.exists()


def test_filing_needs_the_partners_key(district, partner_key):
    assert post("requests.json", None, **filing()).status_code == 403
    assert post("requests.json", "tsk_00000000_wrong", **filing()).status_code == 403
    body = ElementTree.fromstring(post("requests.xml", "nonsense", **filing()).content)
    assert (body.tag, body.find("error/code").text) == ("errors", "403")
    assert not Incident.objects.exists()


def test_a_json_body_is_415(partner_key, district):
    response = APIClient().post(
        f"{BASE}/requests.json", {**filing(), "api_key": partner_key}, format="json"
    )
    assert response.status_code == 415
    assert response.json()[0]["code"] == 415


def test_an_idempotency_key_replays_the_first_answer(partner_key, district):
    headers = {"HTTP_IDEMPOTENCY_KEY": "filing-1"}
    first = post("requests.json", partner_key, headers, **filing())
    again = post("requests.json", partner_key, headers, **filing())
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Incident.objects.count() == 1
    other = post("requests.json", partner_key, headers, **filing(description="别的"))
    assert other.status_code == 422
    assert other.json()[0]["code"] == 422


# --- Posting updates -------------------------------------------------------------------------


def update(key, incident, update_id, status, at=None, **fields):
    return post(
        "servicerequestupdates.json",
        key,
        service_request_id=str(incident.pk),
        update_id=update_id,
        status=status,
        updated_datetime=w3c(at or timezone.now()),
        **fields,
    )


def test_updates_in_order_walk_the_referral(referred, partner_key):
    now = timezone.now()
    accepted = update(partner_key, referred, "u1", "IN_PROGRESS", now - timedelta(minutes=3))
    assert accepted.status_code == 200, accepted.content
    assert Referral.objects.get(incident=referred).status == "accepted"
    progress = update(
        partner_key,
        referred,
        "u2",
        "INVESTIGATING",
        now - timedelta(minutes=2),
        description="已到场",
    )
    assert progress.status_code == 200
    fixed = update(
        partner_key, referred, "u3", "FIXED", now - timedelta(minutes=1), description="已清理"
    )
    assert fixed.status_code == 200
    referred.refresh_from_db()
    assert (referred.status, referred.result_notes) == ("resolved", "已清理")
    # Each answer names the feed's update of it.
    feed = APIClient().get(f"{BASE}/servicerequestupdates.json", {"api_key": partner_key}).json()
    by_id = {row["update_id"]: row for row in feed}
    assert by_id[fixed.json()[0]["update_id"]]["status"] == "FIXED"
    assert by_id[progress.json()[0]["update_id"]]["description"] == "已到场"


def test_a_late_in_progress_after_fixed_leaves_the_job_resolved(referred, partner_key):
    now = timezone.now()
    assert update(partner_key, referred, "fix", "FIXED", now).status_code == 200
    late = update(partner_key, referred, "early", "IN_PROGRESS", now - timedelta(minutes=30))
    assert late.status_code == 200, late.content
    (answer,) = late.json()
    assert answer["update_id"].startswith("received-")
    assert answer["service_notice"]
    referred.refresh_from_db()
    assert referred.status == "resolved"
    record = PartnerUpdate.objects.get(update_id="early")
    assert (record.outcome, record.event_seq) == ("stale", None)


def test_a_late_progress_note_is_recorded_and_moves_nothing(referred, partner_key):
    now = timezone.now()
    update(partner_key, referred, "a", "IN_PROGRESS", now, description="现场核实")
    late = update(
        partner_key, referred, "b", "IN_PROGRESS", now - timedelta(hours=1), description="已联系"
    )
    assert late.status_code == 200
    assert PartnerUpdate.objects.get(update_id="b").outcome == "stale"
    assert Referral.objects.get(incident=referred).last_update_at == now.replace(microsecond=0)


def test_a_duplicate_update_id_answers_the_first_answer_and_changes_nothing(referred, partner_key):
    first = update(partner_key, referred, "dup", "IN_PROGRESS", description="已派员")
    events = Event.objects.count()
    again = update(partner_key, referred, "dup", "FIXED", description="已办结")
    assert again.status_code == 200
    assert again.json() == first.json()
    assert Event.objects.count() == events
    assert Referral.objects.get(incident=referred).status == "accepted"


def test_not_responsible_and_police_needed_need_a_reason(referred, partner_key):
    response = update(partner_key, referred, "n1", "NOT_RESPONSIBLE")
    assert response.status_code == 400
    assert not PartnerUpdate.objects.exists()
    # The same id, corrected, is taken: a refused update is not remembered.
    response = update(partner_key, referred, "n1", "NOT_RESPONSIBLE", description="不属城管职责")
    assert response.status_code == 200
    referred.refresh_from_db()
    assert (referred.status, referred.status_reason) == ("accepted", "不属城管职责")


def test_internal_referral_sends_the_job_to_the_police(referred, partner_key):
    response = update(partner_key, referred, "p1", "INTERNAL_REFERRAL", description="当事人持械")
    assert response.status_code == 200
    referred.refresh_from_db()
    assert (referred.status, referred.tier) == ("returned", "police")


def test_an_update_of_a_job_not_referred_to_the_partner_is_refused(referred, partner_key, call):
    police_job = Incident.objects.get(pk=call().json()["id"])
    response = update(partner_key, police_job, "x1", "IN_PROGRESS")
    assert response.status_code == 404
    assert response.json()[0]["code"] == 404
    filed = post("requests.json", partner_key, **filing(lat="30.005", long="120.015")).json()
    own = Incident.objects.get(pk=filed[0]["service_request_id"])
    response = update(partner_key, own, "x2", "IN_PROGRESS")
    assert response.status_code == 403
    assert not PartnerUpdate.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "REOPENED"},
        {"status": ""},
        {"service_request_id": "abc"},
        {"update_id": ""},
        {"updated_datetime": "soon"},
        {"updated_datetime": "2030-01-01T00:00:00+08:00"},
        {"updated_datetime": "2026-01-01T08:00:00"},
        {"description": "字" * 4001},
    ],
)
def test_bad_updates_are_400(referred, partner_key, fields):
    body = {
        "service_request_id": str(referred.pk),
        "update_id": "bad",
        "status": "IN_PROGRESS",
        **fields,
    }
    response = post("servicerequestupdates.json", partner_key, **body)
    if fields.get("updated_datetime") == "2026-01-01T08:00:00":
        # A time without its zone is the district's: taken.
        assert response.status_code == 200, response.content
        return
    assert response.status_code == 400, response.content
    assert all(error["code"] == 400 for error in response.json())


def test_posting_updates_needs_the_partners_key(referred):
    response = update(None, referred, "k", "IN_PROGRESS")
    assert response.status_code == 403
    assert Referral.objects.get(incident=referred).status == "referred"


def test_an_update_with_an_idempotency_key_is_done_once(referred, partner_key):
    headers = {"HTTP_IDEMPOTENCY_KEY": "update-7"}
    body = {
        "service_request_id": str(referred.pk),
        "update_id": "u7",
        "status": "IN_PROGRESS",
        "description": "已派员",
    }
    first = post("servicerequestupdates.json", partner_key, headers, **body)
    again = post("servicerequestupdates.json", partner_key, headers, **body)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert PartnerUpdate.objects.count() == 1
