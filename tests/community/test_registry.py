"""一标三实: addresses by the local rules, the type-ahead, households masked and
unmasked (audited, by area), the burst alert, plates."""

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from commandcenter.choices import SecurityEventKind
from commandcenter.models import AccessRecord, Event, SecurityEvent
from community.choices import AddressElement as E
from community.personal import (
    credit_check_char,
    credit_code_validate,
    id_validate,
    mask_name,
)
from community.registry import (
    address_search,
    plate_address,
    plate_token,
    public_card,
    resident_errors,
)
from community.registry_models import Resident
from tests import factories as f
from tests.community.conftest import add, resident_make, valid_id


def test_an_address_takes_its_place_full_name_and_ancestors_from_the_tree(tree, district, users):
    room = tree.room
    assert room.full_name == "上城区湖滨街道东坡路社区翠苑一区3幢2单元301室"
    assert room.station == district.station_a and room.post == district.post_p
    assert room.zone == district.zones.sw and room.street == district.street_1
    assert room.building == tree.building and room.community == tree.community
    # The post's community officer answers for it.
    assert room.officer == users.post_officer
    assert "cyyq" in tree.building.search and room.search.startswith("2单元301室")


@pytest.mark.parametrize(
    ("element", "name", "parent", "field"),
    [
        (E.BUILDING, "三幢", "compound", "name"),
        (E.BUILDING, "3号楼", "compound", "name"),
        (E.UNIT, "二单元", "building", "name"),
        (E.ROOM, "301", "unit", "name"),
        (E.ROOM, "", "unit", "name"),
        (E.ROOM, "无", "unit", "name"),
        (E.COMPOUND, "翠苑二区", "building", "parent"),
        (E.BUILDING, "3幢", "compound", "name"),  # taken: no free-form duplicate
    ],
)
def test_the_local_rules_refuse_an_address_and_write_nothing(tree, element, name, parent, field):
    before = type(tree.room).objects.count()
    with pytest.raises(ValidationError) as refused:
        add(getattr(tree, parent), element, name)
    assert field in refused.value.message_dict
    assert type(tree.room).objects.count() == before


def test_a_point_outside_the_district_is_refused(tree):
    with pytest.raises(ValidationError) as refused:
        add(tree.compound, E.BUILDING, "9幢", lat=31.5, lng=121.5)
    assert "lat" in refused.value.message_dict


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("翠苑", "翠苑一区"),
        ("翠苑 3幢", "3幢"),
        ("翠苑3幢", "3幢"),
        ("cyyq", "翠苑一区"),
        ("翠苑 3幢 301", "301室"),
        ("翠苑 3-2-301", "301室"),
        ("3幢 2-301", "301室"),
        ("翠苑 3-1-301", "301室"),
    ],
)
def test_the_type_ahead_finds_an_address_by_any_of_its_parts(tree, query, first):
    found = address_search(query)
    assert found and found[0].name == first


def test_the_type_ahead_api_is_scoped_and_gives_the_plate_url(tree, users, api_client_for):
    body = api_client_for(users.chief_b).get("/api/v1/addresses/", {"q": "翠苑"}).json()
    assert body["count"] == 0 and body["results"] == []  # station A's compound
    body = api_client_for(users.chief_a).get("/api/v1/addresses/", {"q": "翠苑 3幢 301"}).json()
    body = body["results"]
    assert body[0]["full_name"].endswith("301室") and body[0]["station"] == "station-a"
    assert body[0]["plate_url"].startswith("http://testserver/p/")
    building = api_client_for(users.dispatcher).get(f"/api/v1/addresses/{tree.compound.pk}/")
    assert building.json()["plate_url"] is None  # a compound has no plate


def test_a_household_is_masked_and_unmasking_it_is_audited_per_person(tree, users, api_client_for):
    grandma = resident_make(tree.room, "33010219500101002", "王秀英")
    resident_make(tree.room, "33010219800101003", "李明", phone="13912345678")
    client = api_client_for(users.post_officer)
    masked = client.get(f"/api/v1/addresses/{tree.room.pk}/household/").json()
    assert {r["name"] for r in masked["residents"]} == {"王**", "李*"}
    assert all("*" in r["id_number"] and "*" in r["phone"] for r in masked["residents"])
    assert AccessRecord.objects.count() == 0

    refused = client.post(f"/api/v1/addresses/{tree.room.pk}/household/", {}, format="json")
    assert refused.status_code == 400 and "purpose" in refused.json()
    assert AccessRecord.objects.count() == 0

    shown = client.post(
        f"/api/v1/addresses/{tree.room.pk}/household/",
        {"purpose": "rescue", "lat": 30.004, "lng": 120.004},
        format="json",
    )
    assert shown.status_code == 200
    rows = {r["name"]: r for r in shown.json()["residents"]}
    assert rows["王秀英"]["id_number"] == grandma.id_number
    assert rows["李明"]["phone"] == "13912345678"
    records = AccessRecord.objects.filter(actor=users.post_officer)
    assert {r.object_type for r in records} == {"community.resident", "community.household"}
    assert records.filter(object_type="community.resident").count() == 2
    assert all(r.purpose.startswith("rescue") and "30.004" in r.purpose for r in records)


def test_the_id_number_and_phone_are_encrypted_at_rest(tree, django_db_blocker):
    from django.db import connection

    resident_make(tree.room, "33010219500101002", "王秀英")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, id_digest FROM community_resident")
        id_number, phone, id_digest = cursor.fetchone()
    assert "3301021950" not in id_number and "13800001234" not in phone
    assert len(id_digest) == 64
    # Found by its exact value through the digest, without decrypting anything.
    from community.personal import digest

    assert Resident.objects.filter(id_digest=digest(valid_id("33010219500101002"))).exists()


@pytest.mark.parametrize("who", ["chief_b", "street_staff", "partner"])
def test_nobody_outside_the_area_sees_the_household(tree, users, api_client_for, who):
    resident_make(tree.room, "33010219500101002", "王秀英")
    client = api_client_for(getattr(users, who))
    url = f"/api/v1/addresses/{tree.room.pk}/household/"
    assert client.get(url).status_code in (403, 404)
    assert client.post(url, {"purpose": "visit"}, format="json").status_code in (403, 404)
    assert AccessRecord.objects.count() == 0


@override_settings(UNMASK_BURST_HOUSEHOLDS=3, UNMASK_BURST_SECONDS=600)
def test_a_burst_of_unmasked_households_raises_one_security_alert(tree, users, api_client_for):
    client = api_client_for(users.dispatcher)
    rooms = [add(tree.unit, E.ROOM, f"{n}室") for n in (302, 303, 304, 305)]
    for room in rooms:
        resident_make(room, f"330102198001{room.pk % 100:02d}004", "张三")
        client.post(f"/api/v1/addresses/{room.pk}/household/", {"purpose": "case"}, format="json")
    alerts = SecurityEvent.objects.filter(kind=SecurityEventKind.UNMASK_BURST)
    assert alerts.count() == 1 and alerts.get().actor == users.dispatcher
    assert alerts.get().detail["households"] == 3
    assert Event.objects.filter(kind="security.alert").count() == 1


def test_a_plate_holds_an_opaque_signed_id_and_its_public_card_no_person(tree, users):
    token = plate_token(tree.room)
    assert str(tree.room.pk) not in token.split(":")[-1] and "301" not in token
    assert plate_address(token) == tree.room
    assert plate_address(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert plate_address(plate_token(tree.compound)) is None  # no plate there
    users.post_officer.first_name, users.post_officer.duty_phone = "周警官", "0571-87000001"
    users.post_officer.save()
    card = public_card(plate_address(token))
    assert card["address"].endswith("301室") and card["officer_phone"] == "0571-87000001"
    assert set(card) == {"address", "retired", "station", "station_phone", "officer",
                         "officer_phone"}  # fmt: skip


def test_resident_rows_are_checked_by_the_rules(tree):
    errors = resident_errors(
        {"id_number": "330102195001010020", "name": "", "gender": "x", "phone": "12345"},
        tree.compound,
    )
    assert set(errors) >= {"address", "id_number", "name", "gender", "phone", "household"}
    good = {"id_number": valid_id("33010219500101002"), "name": "王秀英", "gender": "2",
            "household": "registered", "presence": "both"}  # fmt: skip
    assert resident_errors(good, tree.room) == {}


def test_id_numbers_credit_codes_and_masks():
    assert id_validate("11010519491231002x") == "11010519491231002X"
    with pytest.raises(ValidationError):
        id_validate("110105194912310021")
    code = "91330100MA2" + "8XXXX"[:4] + "X5"[:2]
    code = code[:17] + credit_check_char(code[:17])
    assert credit_code_validate(code.lower()) == code
    assert mask_name("欧阳娜娜") == "欧***" and mask_name("李明") == "李*"
    assert f.UserFactory  # the factories import in this module


def _plate_url(address) -> str:
    return f"/p/{plate_token(address)}/"


def test_a_plate_scan_logged_out_shows_the_public_card_only(tree, client):
    resident_make(tree.room, "33010219500101002", "王秀英")
    page = client.get(_plate_url(tree.room))
    assert page.status_code == 200
    text = page.content.decode()
    assert "翠苑一区3幢2单元301室" in text and "王" not in text.split("</h1>")[1]
    assert "purpose" not in text
    assert client.post(_plate_url(tree.room), {"purpose": "visit"}).status_code == 403
    assert AccessRecord.objects.count() == 0
    assert client.get("/p/not-a-plate/").status_code == 404


def test_the_area_s_officer_sees_the_household_after_choosing_a_purpose(tree, users, client):
    resident_make(tree.room, "33010219500101002", "王秀英")
    client.force_login(users.post_officer)
    masked = client.get(_plate_url(tree.building)).content.decode()
    assert "王**" in masked and "王秀英" not in masked and 'name="purpose"' in masked
    refused = client.post(_plate_url(tree.building), {"purpose": ""})
    assert refused.status_code == 400 and AccessRecord.objects.count() == 0
    shown = client.post(_plate_url(tree.building), {"purpose": "rescue", "lat": "30.0041",
                                                     "lng": "120.0042"})  # fmt: skip
    assert shown.status_code == 200 and "王秀英" in shown.content.decode()
    record = AccessRecord.objects.get(object_type="community.resident")
    assert record.actor == users.post_officer and "30.004100,120.004200" in record.purpose
    assert record.path == _plate_url(tree.building)


@pytest.mark.parametrize("who", ["chief_b", "street_staff"])
def test_another_area_or_the_street_gets_the_public_card_only(tree, users, client, who):
    resident_make(tree.room, "33010219500101002", "王秀英")
    client.force_login(getattr(users, who))
    page = client.get(_plate_url(tree.room)).content.decode()
    assert "翠苑一区" in page and "王" not in page.split("</h1>")[1] and "purpose" not in page
    assert client.post(_plate_url(tree.room), {"purpose": "visit"}).status_code == 403
    assert AccessRecord.objects.count() == 0


def test_residents_are_found_masked_by_name_id_or_phone_in_the_area(tree, users, api_client_for):
    grandma = resident_make(tree.room, "33010219500101002", "王秀英", phone="13912345678")
    client = api_client_for(users.chief_a)
    for query in ({"name": "王秀英"}, {"id_number": grandma.id_number.lower()},
                  {"phone": "139-1234-5678"}):  # fmt: skip
        rows = client.get("/api/v1/residents/", query).json()
        assert [r["name"] for r in rows] == ["王**"] and "*" in rows[0]["id_number"]
        assert rows[0]["address_id"] == tree.room.pk
    assert client.get("/api/v1/residents/").status_code == 400
    assert api_client_for(users.chief_b).get("/api/v1/residents/", {"name": "王秀英"}).json() == []
    street = api_client_for(users.street_staff).get("/api/v1/residents/", {"name": "王秀英"})
    assert street.json() == [] and AccessRecord.objects.count() == 0


def test_supervisors_consoles_listen_for_security_alerts(district, users, client):
    client.force_login(users.supervisor)
    assert "data-security-alerts" in client.get("/dispatch/").content.decode()
    client.force_login(users.dispatcher)
    assert "data-security-alerts" not in client.get("/dispatch/").content.decode()
