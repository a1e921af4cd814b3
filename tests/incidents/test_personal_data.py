"""Personal data: the caller masked unless asked for (and then recorded), partners
reading free text with personal numbers masked and officers as their org units."""

import pytest
from django.urls import reverse

from commandcenter.choices import SecurityEventKind
from commandcenter.models import AccessRecord, SecurityEvent
from incidents.permissions import mask_personal_text

HTMX = {"HX-Request": "true"}


def test_the_caller_is_masked_in_lists_and_details_and_nothing_is_recorded(
    api_client_for, users, call
):
    incident = call().json()
    dispatcher = api_client_for(users.dispatcher)
    listed = dispatcher.get("/api/v1/incidents/").json()["results"][0]
    detail = dispatcher.get(f"/api/v1/incidents/{incident['id']}/").json()
    for shown in (listed, detail):
        assert (shown["caller_phone"], shown["caller_name"]) == ("138****8000", "张*")
    assert not AccessRecord.objects.exists()


def test_revealing_the_caller_shows_them_and_records_who_what_and_why(api_client_for, users, call):
    incident = call().json()
    response = api_client_for(users.dispatcher).get(
        f"/api/v1/incidents/{incident['id']}/", {"reveal": "caller", "purpose": "contact"}
    )
    assert response.status_code == 200
    assert (response.json()["caller_phone"], response.json()["caller_name"]) == (
        "13800138000",
        "张三",
    )
    record = AccessRecord.objects.get()
    assert record.actor == users.dispatcher
    assert (record.object_type, record.object_id) == ("incidents.incident", str(incident["id"]))
    assert record.fields == ["caller_name", "caller_phone"]
    assert record.purpose
    assert record.client_address == "127.0.0.1"


def test_a_partner_may_not_reveal_a_caller_it_did_not_file(api_client_for, users, district, call):
    incident = call(category="complaint", lat=30.015, lng=120.005).json()
    street = api_client_for(users.street_staff)
    base = f"/api/v1/incidents/{incident['id']}"
    street.post(f"{base}/accept/", {}, format="json")
    street.post(f"{base}/refer/", {"to": "chengguan", "notes": "占道经营"}, format="json")
    response = api_client_for(users.partner).get(f"{base}/", {"reveal": "caller"})
    assert response.status_code == 403
    assert not AccessRecord.objects.exists()
    assert SecurityEvent.objects.filter(
        kind=SecurityEventKind.FORBIDDEN, actor=users.partner
    ).exists()


def test_the_job_panel_shows_the_caller_masked_then_whole_for_a_purpose(client, users, call):
    incident = call().json()
    client.force_login(users.dispatcher)
    panel = client.get(
        reverse("console-incident", kwargs={"console": "dispatch", "pk": incident["id"]}),
        headers=HTMX,
    ).content.decode()
    assert "138****8000" in panel and "13800138000" not in panel
    url = reverse("console-job-caller", kwargs={"console": "dispatch", "pk": incident["id"]})

    refused = client.get(url, headers=HTMX)  # no purpose given
    assert refused.status_code == 400
    assert not AccessRecord.objects.exists()

    shown = client.get(url, {"purpose": "verify"}, headers=HTMX)
    assert shown.status_code == 200
    assert "13800138000" in shown.content.decode()
    assert AccessRecord.objects.get().purpose


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("报警人电话13912345678，请回访", "报警人电话139****5678，请回访"),
        ("+86 139-1234-5678", "139****5678"),
        ("身份证330102199001011234", "身份证330102********1234"),
        ("身份证11010519491231002X。", "身份证110105********002X。"),
        ("门牌 12号, 编号 20261202-0001", "门牌 12号, 编号 20261202-0001"),
    ],
)
def test_personal_numbers_in_free_text_are_masked(typed, shown):
    assert mask_personal_text(typed) == shown


def test_partners_read_notes_masked_and_officers_as_their_org_unit(
    api_client_for, users, district, call
):
    incident = call(
        category="complaint", lat=30.015, lng=120.005, description="商户电话13912345678占道"
    ).json()
    street = api_client_for(users.street_staff)
    base = f"/api/v1/incidents/{incident['id']}"
    street.post(f"{base}/accept/", {}, format="json")
    street.post(f"{base}/refer/", {"to": "chengguan", "notes": "联系人13987654321"}, format="json")

    partner = api_client_for(users.partner).get(f"{base}/").json()
    assert partner["description"] == "商户电话139****5678占道"
    text = str(partner["timeline"])
    assert "13987654321" not in text and "139****4321" in text
    assert users.street_staff.username not in text
    assert {entry["actor"] for entry in partner["timeline"]} >= {str(district.street_1)}

    # The street itself reads what it wrote.
    own = street.get(f"{base}/").json()
    assert "13987654321" in str(own["timeline"])
