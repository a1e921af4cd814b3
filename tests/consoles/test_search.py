"""警情查询: search by phone, caller, address and the rest, exported as CSV or Excel."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from incidents.permissions import mask_phone


@pytest.fixture
def jobs(call):
    return {
        "theft": call(caller_phone="13911112222", caller_name="李四", address="河坊街1号").json(),
        "traffic": call(category="traffic", caller_phone="13933334444", lat=30.015).json(),
    }


def test_a_search_by_phone_finds_the_callers_incidents(client, users, jobs):
    client.force_login(users.dispatcher)
    html = client.get(reverse("incident-search"), {"phone": "139-1111-2222"}).content.decode()
    assert jobs["theft"]["number"] in html
    assert jobs["traffic"]["number"] not in html


def test_the_form_as_a_browser_sends_it_empty_fields_and_all_finds_the_calls(client, users, jobs):
    client.force_login(users.dispatcher)
    empty = dict.fromkeys(
        (
            "q",
            "caller",
            "address",
            "category",
            "status",
            "station",
            "received_after",
            "received_before",
        ),
        "",
    )
    response = client.get(reverse("incident-search"), {**empty, "phone": "13911112222"})
    html = response.content.decode()
    assert 'role="alert"' not in html
    assert jobs["theft"]["number"] in html
    # The export links carry only what was filled in.
    export = reverse("incident-export")
    assert f'href="{export}?phone=13911112222&amp;file_format=csv"' in html


def test_the_text_box_finds_by_caller_name_or_address(client, users, jobs):
    client.force_login(users.dispatcher)
    for text in ("李四", "河坊街"):
        html = client.get(reverse("incident-search"), {"q": text}).content.decode()
        assert jobs["theft"]["number"] in html, text
        assert jobs["traffic"]["number"] not in html, text


def test_search_is_scoped_and_refused_to_partners(client, users, jobs):
    client.force_login(users.chief_b)
    html = client.get(reverse("incident-search"), {"phone": "13911112222"}).content.decode()
    assert jobs["theft"]["number"] not in html
    client.force_login(users.partner)
    assert client.get(reverse("incident-search")).status_code == 403


def test_a_bad_date_is_a_form_error_not_a_500(client, users, jobs):
    client.force_login(users.dispatcher)
    response = client.get(reverse("incident-search"), {"received_after": "2026-02-30T10:00"})
    assert response.status_code == 200
    assert 'class="form-alert"' in response.content.decode()


def test_results_export_as_excel_with_the_same_filters(api_client_for, users, jobs):
    response = api_client_for(users.dispatcher).get(
        "/api/v1/incidents/export/", {"phone": "13911112222", "file_format": "xlsx"}
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert len(rows) == 2  # heading and one incident
    assert rows[1][0] == jobs["theft"]["number"]


def test_csv_export_never_writes_a_formula(api_client_for, users, call):
    call(description='=HYPERLINK("x")', caller_phone="13955556666")
    body = (
        api_client_for(users.dispatcher)
        .get("/api/v1/incidents/export/", {"file_format": "csv"})
        .content.decode("utf-8-sig")
    )
    assert "'=HYPERLINK" in body


def test_csv_export_masks_the_caller_of_a_job_referred_to_a_partner(
    api_client_for, users, call, district
):
    job = call(category="dispute", caller_name="王五", caller_phone="13977778888", lat=30.015)
    street = api_client_for(users.street_staff)
    street.post(f"/api/v1/incidents/{job.json()['id']}/accept/", format="json")
    referred = street.post(
        f"/api/v1/incidents/{job.json()['id']}/refer/",
        {"to": district.partner.code},
        format="json",
    )
    assert referred.status_code == 200, referred.content
    body = (
        api_client_for(users.partner)
        .get("/api/v1/incidents/export/", {"file_format": "csv"})
        .content.decode("utf-8-sig")
    )
    assert job.json()["number"] in body
    assert "王五" not in body and "13977778888" not in body
    assert mask_phone("13977778888") in body


def test_an_unknown_export_format_is_a_field_error(api_client_for, users):
    response = api_client_for(users.dispatcher).get(
        "/api/v1/incidents/export/", {"file_format": "pdf"}
    )
    assert response.status_code == 400
    assert "file_format" in response.json()
