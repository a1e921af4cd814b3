"""走失人员: the report and its search notice (orders to the nearby units and the street
centers), the growing search area, sightings, found, the monthly figures, scope."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from PIL import Image

from commandcenter.models import Event
from community.missing import search_radius_m
from community.missing_models import MissingPerson
from dispatch.models import Order
from patrol.choices import UnitStatus


def report(client, **changes):
    body = {
        "name": "王秀英", "age": 78, "condition": "dementia", "gender": "2",
        "description": "身穿蓝色外套，灰色裤子，拄拐杖，说杭州话",
        "last_seen_at": (timezone.now() - timedelta(minutes=30)).isoformat(),
        "last_seen_place": "翠苑一区东门", "last_seen_lat": 30.004, "last_seen_lng": 120.004,
        "contact_name": "李明", "contact_phone": "13912345678", **changes,
    }  # fmt: skip
    return client.post("/api/v1/missing-persons/", body, format="json")


def test_a_report_opens_the_case_and_sends_the_notice_to_nearby_units_and_streets(
    district, users, api_client_for
):
    district.units.b.status = UnitStatus.OFF_DUTY
    district.units.b.save()
    answer = report(api_client_for(users.dispatcher))
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["status"] == "searching" and body["station"] == "station-a"
    assert body["contact_phone"] == "139****5678"
    # Half an hour at 2 km/h beyond the first 500 m.
    assert body["search_area"]["radius_m"] == pytest.approx(1500, abs=5)
    orders = Order.objects.filter(content__contains=body["number"])
    units = {o.unit.call_sign for o in orders if o.unit_id}
    assert units == {"A-01", "P-01", "S1-01"}  # B-01 is off duty
    assert {o.governance_center.code for o in orders if o.governance_center_id} >= {"center-1"}
    event = Event.objects.get(kind="missing.reported")
    assert event.station_id == district.station_a.pk and event.payload["radius_m"] > 0
    assert set(event.payload["notified"]["units"]) == units


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"contact_phone": "12345"}, "contact_phone"),
        ({"last_seen_lat": 31.9, "last_seen_lng": 121.9}, "last_seen_lat"),
        ({"last_seen_at": (timezone.now() + timedelta(hours=2)).isoformat()}, "last_seen_at"),
        ({"age": 300}, "age"),
    ],
)
def test_a_bad_report_is_refused_and_changes_nothing(
    district, users, api_client_for, changes, field
):
    answer = report(api_client_for(users.dispatcher), **changes)
    assert answer.status_code == 400 and field in answer.json()
    assert not MissingPerson.objects.exists() and not Order.objects.exists()


def test_a_photo_is_kept_and_a_file_that_is_no_image_refused(district, users, api_client_for):
    client = api_client_for(users.dispatcher)
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, "JPEG")
    buffer.name = "photo.jpg"
    buffer.seek(0)
    fields = {"name": "张小宝", "age": 6, "condition": "child", "description": "红色上衣",
              "last_seen_at": timezone.now().isoformat(), "last_seen_place": "湖滨公园",
              "last_seen_lat": 30.004, "last_seen_lng": 120.004, "contact_name": "张三",
              "contact_phone": "13800001234"}  # fmt: skip
    answer = client.post("/api/v1/missing-persons/", {**fields, "photo": buffer})
    assert answer.status_code == 201 and answer.json()["has_photo"]
    photo = client.get(f"/api/v1/missing-persons/{answer.json()['id']}/photo/")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    bad = io.BytesIO(b"not an image")
    bad.name = "photo.jpg"
    refused = client.post("/api/v1/missing-persons/", {**fields, "photo": bad})
    assert refused.status_code == 400 and "photo" in refused.json()
    assert MissingPerson.objects.count() == 1


def test_the_search_area_grows_a_sighting_moves_it_and_found_closes_the_case(
    district, users, api_client_for
):
    client = api_client_for(users.dispatcher)
    case = report(client, last_seen_at=timezone.now().isoformat()).json()
    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
        later = client.get(f"/api/v1/missing-persons/{case['id']}/").json()
        assert later["search_area"]["radius_m"] == pytest.approx(4500, abs=5)
        seen = client.post(
            f"/api/v1/missing-persons/{case['id']}/sightings/",
            {
                "seen_at": timezone.now().isoformat(),
                "place": "清波街公交站",
                "lat": 30.006,
                "lng": 120.014,
                "note": "便利店店员看到",
            },  # fmt: skip
            format="json",
        )
        assert seen.status_code == 201
        moved = client.get(f"/api/v1/missing-persons/{case['id']}/").json()["search_area"]
        assert (moved["lat"], moved["lng"], moved["from_sighting"]) == (30.006, 120.014, True)
        assert moved["radius_m"] == 500
        found = client.post(
            f"/api/v1/missing-persons/{case['id']}/found/",
            {
                "found_at": timezone.now().isoformat(),
                "place": "清波街菜场",
                "found_by": "义警 陈师傅",
                "lat": 30.0061,
                "lng": 120.0141,
            },  # fmt: skip
            format="json",
        )
        assert found.status_code == 200 and found.json()["status"] == "found"
        again = client.post(f"/api/v1/missing-persons/{case['id']}/close/", {"note": "x"},
                            format="json")  # fmt: skip
        assert again.status_code == 400
    kinds = list(Event.objects.filter(kind__startswith="missing.").values_list("kind", flat=True))
    assert kinds == ["missing.reported", "missing.sighted", "missing.found"]
    figures = client.get("/api/v1/missing-persons/figures/").json()
    assert figures[-1]["reported"] == 1 and figures[-1]["found"] == 1
    assert figures[-1]["median_hours_to_find"] == pytest.approx(2.0, abs=0.1)


def test_cases_are_seen_in_their_area_and_never_by_partners(district, users, api_client_for):
    report(api_client_for(users.dispatcher))
    assert len(api_client_for(users.chief_a).get("/api/v1/missing-persons/").json()["results"]) == 1
    assert api_client_for(users.chief_b).get("/api/v1/missing-persons/").json()["results"] == []
    assert api_client_for(users.partner).get("/api/v1/missing-persons/").json()["results"] == []
    assert report(api_client_for(users.street_staff)).status_code == 403
    assert report(api_client_for(users.partner)).status_code == 403


def test_the_radius_is_capped():
    assert search_radius_m(0) == 500 and search_radius_m(1000) == 10_000


def test_the_missing_page_reports_a_case_and_its_page_records_the_steps(district, users, client):
    client.force_login(users.dispatcher)
    assert client.get("/missing/").status_code == 200
    refused = client.post("/missing/", {"name": "王秀英"})
    assert refused.status_code == 400 and not MissingPerson.objects.exists()
    now = timezone.localtime()
    answer = client.post("/missing/", {
        "name": "王秀英", "age": "78", "condition": "dementia", "description": "蓝色外套",
        "last_seen_at": now.strftime("%Y-%m-%d %H:%M"), "address": "翠苑一区东门",
        "lat": "30.004", "lng": "120.004", "contact_name": "李明",
        "contact_phone": "13912345678",
    })  # fmt: skip
    case = MissingPerson.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/missing/{case.pk}/"
    page = client.get(f"/missing/{case.pk}/").content.decode()
    assert case.number in page and "139****5678" in page and "13912345678" not in page
    bad = client.post(f"/missing/{case.pk}/", {"step": "sighting", "address": "x"})
    assert bad.status_code == 400
    seen = client.post(f"/missing/{case.pk}/", {
        "step": "sighting", "seen_at": now.strftime("%Y-%m-%d %H:%M"), "address": "清波街",
        "lat": "30.006", "lng": "120.014",
    })  # fmt: skip
    assert seen.status_code == 302 and case.sightings.count() == 1
    found = client.post(f"/missing/{case.pk}/", {
        "step": "found", "found_at": now.strftime("%Y-%m-%d %H:%M"), "place": "清波街菜场",
        "found_by": "义警 陈师傅",
    })  # fmt: skip
    assert found.status_code == 302
    case.refresh_from_db()
    assert case.status == "found"
    client.force_login(users.partner)
    assert client.get("/missing/").status_code == 403


def test_a_missing_person_call_leads_to_the_report_and_the_case_names_it(
    district, users, client, call
):
    from incidents.models import Incident

    answer = call(category="missing_person", description="老人走失")
    assert answer.status_code == 201, answer.json()
    incident = Incident.objects.get(pk=answer.json()["id"])
    client.force_login(users.dispatcher)
    job = client.get(f"/dispatch/incidents/{incident.pk}/").content.decode()
    assert f"/missing/?incident={incident.number}" in job
    assert (
        f'value="{incident.number}"'
        in client.get(f"/missing/?incident={incident.number}").content.decode()
    )
    now = timezone.localtime()
    fields = {"name": "王秀英", "description": "蓝色外套", "address": "东门", "lat": "30.004",
              "lng": "120.004", "contact_name": "李明", "contact_phone": "13912345678",
              "last_seen_at": now.strftime("%Y-%m-%d %H:%M")}  # fmt: skip
    assert client.post("/missing/", {**fields, "incident": "20990101-9999"}).status_code == 400
    assert client.post("/missing/", {**fields, "incident": incident.number}).status_code == 302
    assert MissingPerson.objects.get().incident == incident
