"""Open311 GeoReport v2 reads (partners.open311): discovery, services, a partner's
requests and the updates feed; the key, the error list and the rate limit."""

from datetime import timedelta
from urllib.parse import quote
from xml.etree import ElementTree

import pytest
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.test import APIClient

from commandcenter.api.throttling import PartnerKeyThrottle
from commandcenter.machine_keys import machine_key_create, machine_key_revoke
from commandcenter.models import MachineKeyKind
from dispatch import referrals
from tests import factories as f

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"


def get(path: str, key: str | None = None, **params):
    if key is not None:
        params["api_key"] = key
    return APIClient().get(f"{BASE}/{path}", params)


def xml(response) -> ElementTree.Element:
    assert response["Content-Type"].startswith("text/xml"), response["Content-Type"]
    return ElementTree.fromstring(response.content)


def w3c(moment) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


# --- Public: discovery and services ----------------------------------------------------------


def test_discovery_names_the_endpoint_and_both_formats(district):
    body = get("discovery.json").json()
    endpoint = body["endpoints"][0]
    assert endpoint["url"].endswith("/open311/v2/")
    assert endpoint["formats"] == ["text/xml", "application/json"]
    root = xml(get("discovery.xml"))
    assert root.tag == "discovery"
    assert [e.text for e in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]


def test_services_are_the_active_non_police_categories(district):
    services = get("services.json").json()
    codes = {row["service_code"] for row in services}
    assert {"complaint", "neighbour_dispute", "lockout", "inquiry"} <= codes
    assert not codes & {"criminal", "theft", "fire", "misdial"}
    by_code = {row["service_code"]: row for row in services}
    assert by_code["complaint"]["metadata"] is True
    assert by_code["inquiry"]["metadata"] is False
    assert by_code["neighbour_dispute"]["group"] == "纠纷"
    assert {row["type"] for row in services} == {"realtime"}
    root = xml(get("services.xml"))
    assert root.tag == "services"
    assert len(root.findall("service")) == len(services)
    assert root.find("service/metadata").text in ("true", "false")


def test_a_service_definition_lists_its_attributes_and_values(district):
    body = get("services/complaint.json").json()
    (attribute,) = body["attributes"]
    assert (attribute["code"], attribute["datatype"], attribute["required"]) == (
        "subject",
        "singlevaluelist",
        True,
    )
    assert "street_vending" in [value["key"] for value in attribute["values"]]
    root = xml(get("services/complaint.xml"))
    assert root.tag == "service_definition"
    keys = [e.text for e in root.findall("attributes/attribute/values/value/key")]
    assert "street_vending" in keys


def test_a_service_without_attributes_has_an_empty_definition(district):
    assert get("services/inquiry.json").json() == {"service_code": "inquiry", "attributes": []}


@pytest.mark.parametrize("code", ["criminal", "no-such-service", "x" * 300, "0.5", ""])
def test_an_unknown_or_police_service_is_404_as_the_error_list(district, code):
    response = get(f"services/{code}.json")
    assert response.status_code == 404
    (error,) = response.json()
    assert error["code"] == 404 and error["description"]
    root = xml(get(f"services/{code}.xml"))
    assert root.tag == "errors"
    assert root.find("error/code").text == "404"


# --- The key ---------------------------------------------------------------------------------


def test_requests_need_a_key(district):
    for path in ("requests.json", "requests/1.json", "servicerequestupdates.json"):
        response = get(path)
        assert response.status_code == 403, path
        assert response.json()[0]["code"] == 403


@pytest.mark.parametrize("key", ["nonsense", "tsk_deadbeef_nothing", ""])
def test_a_bad_key_is_403(district, key):
    response = get("requests.json", key or None)
    assert response.status_code == 403
    assert response.json()[0]["code"] == 403


def test_a_revoked_key_is_403(users, partner_key):
    from commandcenter.models import MachineKey

    assert get("requests.json", partner_key).status_code == 200
    machine_key_revoke(actor=None, key=MachineKey.objects.get(user=users.partner))
    assert get("requests.json", partner_key).status_code == 403


def test_a_gateway_key_is_not_a_partner_key(district):
    gateway = f.UserFactory(username="gw", role="gateway")
    _key, plaintext = machine_key_create(
        actor=None, name="网关", kind=MachineKeyKind.GATEWAY, user=gateway
    )
    assert get("requests.json", plaintext).status_code == 403


def test_the_key_as_basic_auth_password_or_key_header(referred, partner_key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Basic " + _basic("anyone", partner_key))
    assert len(client.get(f"{BASE}/requests.json").json()) == 1
    client.credentials(HTTP_AUTHORIZATION=f"Key {partner_key}")
    assert len(client.get(f"{BASE}/requests.json").json()) == 1
    client.credentials(HTTP_AUTHORIZATION="Basic " + _basic("anyone", "wrong"))
    assert client.get(f"{BASE}/requests.json").status_code == 403
    client.credentials(HTTP_AUTHORIZATION="Basic !!!")
    assert client.get(f"{BASE}/requests.json").status_code == 403


def _basic(user: str, password: str) -> str:
    import base64

    return base64.b64encode(f"{user}:{password}".encode()).decode()


# --- Requests --------------------------------------------------------------------------------


def test_requests_are_the_jobs_referred_to_the_partner_and_no_others(open311_jobs, partner_key):
    rows = get("requests.json", partner_key).json()
    assert {row["service_request_id"] for row in rows} == {
        str(job.pk) for job in open311_jobs.referred
    }
    # Newest first.
    assert [row["service_request_id"] for row in rows] == [
        str(job.pk) for job in reversed(open311_jobs.referred)
    ]


def test_a_request_reads_the_referral_and_masks_personal_data(open311_jobs, partner_key, users):
    job = open311_jobs.referred[0]
    (row,) = get(f"requests/{job.pk}.json", partner_key).json()
    assert row["status"] == "open"
    department = users.partner.partner_department.name
    assert row["status_notes"] == _("Referred to %(department)s.") % {"department": department}
    assert row["agency_responsible"] == users.partner.partner_department.name
    assert row["description"] == "占道经营，联系人138****5678"
    assert row["requested_datetime"] == w3c(job.received_at)
    assert row["requested_datetime"].endswith("+08:00")
    referral = job.referrals.get()
    assert row["expected_datetime"] == w3c(referral.expected_at)
    assert (row["lat"], row["long"], row["service_code"]) == (30.015, 120.005, "complaint")
    text = get(f"requests/{job.pk}.json", partner_key).content.decode()
    assert "13800138000" not in text and "张三" not in text


def test_a_handled_request_is_closed_with_the_answer_and_no_expected_time(
    referred, partner_key, users
):
    referrals.referral_answer(
        actor=users.partner, incident_id=referred.pk, answer="handled", notes="摊位已清理"
    )
    (row,) = get(f"requests/{referred.pk}.json", partner_key).json()
    assert row["status"] == "closed"
    assert row["status_notes"].endswith("摊位已清理")
    assert row["expected_datetime"] is None


def test_a_declined_request_is_back_with_the_street_center(referred, partner_key, users, district):
    referrals.referral_answer(
        actor=users.partner, incident_id=referred.pk, answer="declined", notes="不属城管职责"
    )
    (row,) = get(f"requests/{referred.pk}.json", partner_key).json()
    assert row["status"] == "open"
    assert row["agency_responsible"] == district.center_1.name
    assert "不属城管职责" in row["status_notes"]


def test_one_request_of_another_department_or_unknown_is_404(open311_jobs, partner_key):
    for path in (f"requests/{open311_jobs.unseen.pk}.json", "requests/999999.json"):
        response = get(path, partner_key)
        assert response.status_code == 404
        assert response.json()[0]["code"] == 404
    assert get("requests/abc.json", partner_key).status_code == 404
    assert get("requests/-1.json", partner_key).status_code == 404
    assert get("requests/.exe.json", partner_key).json()[0]["code"] == 404


def test_requests_filter_by_ids_code_and_status(open311_jobs, partner_key, users):
    first, second, third = open311_jobs.referred
    referrals.referral_answer(actor=users.partner, incident_id=third.pk, answer="handled")
    ids = f"{first.pk},{second.pk},{open311_jobs.unseen.pk}"
    assert {
        r["service_request_id"]
        for r in get("requests.json", partner_key, service_request_id=ids).json()
    } == {
        str(first.pk),
        str(second.pk),
    }
    by_code = get("requests.json", partner_key, service_code="neighbour_dispute,lockout").json()
    assert {r["service_request_id"] for r in by_code} == {str(second.pk), str(third.pk)}
    closed = get("requests.json", partner_key, status="closed").json()
    assert [r["service_request_id"] for r in closed] == [str(third.pk)]
    both = get("requests.json", partner_key, status="open,closed").json()
    assert len(both) == 3


def test_requests_filter_by_requested_datetime(open311_jobs, partner_key):
    now = timezone.now()
    later = get(
        "requests.json",
        partner_key,
        start_date=w3c(now + timedelta(minutes=10)),
        end_date=w3c(now + timedelta(days=1)),
    ).json()
    assert later == []
    earlier = get(
        "requests.json",
        partner_key,
        start_date=(now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    ).json()
    assert len(earlier) == 3
    # By default the last 90 days: a job older than that is left out.
    first = open311_jobs.referred[0]
    type(first).objects.filter(pk=first.pk).update(received_at=now - timedelta(days=91))
    assert len(get("requests.json", partner_key).json()) == 2


def test_an_empty_parameter_is_the_same_as_none(open311_jobs, partner_key):
    rows = get(
        "requests.json",
        partner_key,
        service_request_id="",
        service_code="",
        start_date="",
        end_date="",
        status="",
        jurisdiction_id="",
        page="",
        page_size="",
    ).json()
    assert len(rows) == 3


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-06-01T00:00:00+08:00"},
        {"start_date": "2026-02-01T00:00:00+08:00", "end_date": "2026-01-01T00:00:00+08:00"},
        {"start_date": "yesterday"},
        {"end_date": "2026-13-45"},
        {"start_date": "9999-12-31", "end_date": ""},
        {"end_date": "0001-01-01"},
        {"status": "pending"},
        {"service_request_id": "1,two"},
        {"page": "0"},
        {"page_size": "1001"},
        {"page": "-3"},
        {"page_size": "1e3"},
    ],
)
def test_bad_filters_are_400_as_the_error_list(referred, partner_key, params):
    response = get("requests.json", partner_key, **params)
    assert response.status_code == 400, response.content
    errors = response.json()
    assert errors and all(e["code"] == 400 and e["description"] for e in errors)
    root = xml(get("requests.xml", partner_key, **params))
    assert root.tag == "errors" and root.find("error/code").text == "400"


def test_pages_of_requests(open311_jobs, partner_key):
    pages = [get("requests.json", partner_key, page=page, page_size=2).json() for page in (1, 2, 3)]
    assert [len(rows) for rows in pages] == [2, 1, 0]
    ids = [row["service_request_id"] for rows in pages for row in rows]
    assert len(set(ids)) == 3


def test_requests_in_xml_are_service_requests_of_request(open311_jobs, partner_key):
    root = xml(get("requests.xml", partner_key))
    assert root.tag == "service_requests"
    assert len(root.findall("request")) == 3
    first = root.find("request")
    assert first.find("status").text == "open"
    assert first.find("expected_datetime").text.endswith("+08:00")
    assert first.find("media_url").text is None
    empty = xml(get("requests.xml", partner_key, status="closed"))
    assert (empty.tag, list(empty)) == ("service_requests", [])


def test_requests_read_in_a_fixed_number_of_queries(
    open311_jobs, partner_key, refer, django_assert_max_num_queries
):
    get("requests.json", partner_key)  # the key remembered, the directory loaded
    with django_assert_max_num_queries(4):
        assert len(get("requests.json", partner_key).json()) == 3
    refer(lat=30.012, lng=120.002)  # apart: not repeats of the first
    refer(lat=30.018, lng=120.008)
    with django_assert_max_num_queries(4):
        assert len(get("requests.json", partner_key).json()) == 5


# --- The updates feed ------------------------------------------------------------------------


def test_the_updates_feed_lists_each_status_change_in_order(referred, partner_key, users):
    referrals.referral_accept(actor=users.partner, incident_id=referred.pk)
    referrals.referral_progress(
        actor=users.partner, incident_id=referred.pk, notes="已派队员 13912345678"
    )
    referrals.referral_answer(
        actor=users.partner, incident_id=referred.pk, answer="handled", notes="已清理"
    )
    rows = get("servicerequestupdates.json", partner_key).json()
    assert {row["service_request_id"] for row in rows} == {str(referred.pk)}
    ids = [int(row["update_id"]) for row in rows]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    statuses = [row["status"] for row in rows]
    # received/diverted (open), accepted by the street, referred, then the loop.
    assert statuses[-3:] == ["IN_PROGRESS", "IN_PROGRESS", "FIXED"]
    assert statuses[-4] == "OPEN"
    assert rows[-2]["description"] == "已派队员 139****5678"
    assert rows[-1]["updated_datetime"].endswith("+08:00")
    root = xml(get("servicerequestupdates.xml", partner_key))
    assert root.tag == "service_request_updates"
    assert [e.text for e in root.findall("request_update/status")] == statuses


def test_the_updates_feed_holds_only_the_partners_jobs(open311_jobs, partner_key):
    rows = get("servicerequestupdates.json", partner_key).json()
    assert str(open311_jobs.unseen.pk) not in {row["service_request_id"] for row in rows}
    assert {row["service_request_id"] for row in rows} == {
        str(job.pk) for job in open311_jobs.referred
    }


def test_the_updates_feed_by_date_range_and_page(referred, partner_key, users):
    now = timezone.now()
    assert (
        get(
            "servicerequestupdates.json",
            partner_key,
            start_date=w3c(now - timedelta(days=2)),
            end_date=w3c(now - timedelta(days=1)),
        ).json()
        == []
    )
    everything = get(
        "servicerequestupdates.json", partner_key, start_date=w3c(now - timedelta(hours=2))
    ).json()
    assert everything
    pages = [
        get("servicerequestupdates.json", partner_key, page=page, page_size=1).json()
        for page in range(1, len(everything) + 2)
    ]
    assert [row for rows in pages for row in rows] == everything
    assert pages[-1] == []
    response = get(
        "servicerequestupdates.json",
        partner_key,
        start_date="2026-01-01T00:00:00Z",
        end_date="2026-12-01T00:00:00Z",
    )
    assert response.status_code == 400


def test_a_closed_job_reads_closed_in_the_feed(referred, partner_key, users, api_client_for):
    referrals.referral_answer(actor=users.partner, incident_id=referred.pk, answer="handled")
    street = api_client_for(users.street_staff)
    street.post(f"/api/v1/incidents/{referred.pk}/close/", {"feedback": "已告知"}, format="json")
    rows = get("servicerequestupdates.json", partner_key).json()
    assert [row["status"] for row in rows[-2:]] == ["FIXED", "CLOSED"]


# --- Errors and the rate limit ---------------------------------------------------------------


def test_a_method_the_route_does_not_take_is_405_as_the_error_list(district):
    response = APIClient().put(f"{BASE}/services.json")
    assert response.status_code == 405
    assert response.json()[0]["code"] == 405


def test_a_partner_key_past_its_rate_is_429_with_retry_after(
    referred, partner_key, settings, open311_cache
):
    settings.PARTNER_RATE_LIMIT = "3/min"
    for _attempt in range(3):
        assert get("requests.json", partner_key).status_code == 200
    response = get("requests.json", partner_key)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()[0]["code"] == 429
    # Every API route the key reaches counts too (DEFAULT_THROTTLE_CLASSES).
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Key {partner_key}")
    assert client.get("/api/v1/incidents/").status_code == 429


def test_only_partner_keys_are_rate_limited(district, settings, open311_cache):
    settings.PARTNER_RATE_LIMIT = "1/min"
    gateway = f.UserFactory(username="gw", role="gateway")
    key, _plaintext = machine_key_create(
        actor=None, name="网关", kind=MachineKeyKind.SENSORS, user=gateway
    )
    request = type("Request", (), {"auth": key})()
    assert PartnerKeyThrottle().get_cache_key(request, None) is None
    partner, _plaintext = machine_key_create(
        actor=None,
        name="城管",
        kind=MachineKeyKind.PARTNER,
        user=f.UserFactory(username="p2", role="partner", partner_department=district.partner),
    )
    request.auth = partner
    assert (
        PartnerKeyThrottle().get_cache_key(request, None)
        == f"throttle:partner_key:{partner.prefix}"
    )


@pytest.mark.parametrize(
    "path",
    [
        "requests/%00.json",
        "services/%E2%80%AE.json",
        "requests.json?service_code=%00",
        "requests.json?start_date=%F0%9F%98%80",
        "servicerequestupdates.json?end_date=2026-02-30",
        "requests.json?page_size=99999999999999999999",
    ],
)
def test_odd_input_never_answers_a_server_error(referred, partner_key, path):
    separator = "&" if "?" in path else "?"
    response = APIClient().get(f"{BASE}/{path}{separator}api_key={quote(partner_key)}")
    assert response.status_code < 500
