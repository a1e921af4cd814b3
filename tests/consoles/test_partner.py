"""The partner console (合作部门): its inbox of referred jobs, accept, progress, answer."""

import pytest
from django.urls import reverse

from dispatch.models import Referral
from incidents.models import Incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def referred(call, api_client_for, users):
    job = call(
        category="complaint", lat=30.015, lng=120.005, description="占道经营 13912345678"
    ).json()
    street = api_client_for(users.street_staff)
    street.post(f"/api/v1/incidents/{job['id']}/accept/", format="json")
    street.post(f"/api/v1/incidents/{job['id']}/refer/", {"to": "chengguan"}, format="json")
    return Incident.objects.get(pk=job["id"])


def test_a_partner_lands_on_its_inbox_not_the_map(client, users, referred):
    client.force_login(users.partner)
    response = client.get(reverse("console-home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("partner-console")
    html = client.get(reverse("partner-console")).content.decode()
    assert referred.number in html
    assert reverse("partner-job", args=[referred.pk]) in html


def test_the_job_page_masks_personal_numbers(client, users, referred):
    client.force_login(users.partner)
    html = client.get(reverse("partner-job", args=[referred.pk])).content.decode()
    assert "139****5678" in html
    assert "13912345678" not in html
    assert "13800138000" not in html  # the caller's number is not shown at all


def test_accept_progress_and_answer_reach_the_street_console(client, users, referred):
    client.force_login(users.partner)
    action = lambda name: reverse("partner-job-action", args=[referred.pk, name])  # noqa: E731
    assert client.post(action("accept")).status_code == 302
    assert client.post(action("progress"), {"notes": "已派执法队员"}).status_code == 302
    response = client.post(action("answer"), {"answer": "handled", "notes": "摊位已清理"})
    assert response.status_code == 302
    referred.refresh_from_db()
    assert referred.status == "resolved"
    client.force_login(users.street_staff)
    html = client.get(
        reverse("console-incident", kwargs={"console": "street", "pk": referred.pk}),
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "摊位已清理" in html
    assert "已派执法队员" in html


def test_a_refused_answer_is_a_form_error_and_changes_nothing(client, users, referred):
    client.force_login(users.partner)
    url = reverse("partner-job-action", args=[referred.pk, "answer"])
    response = client.post(url, {"answer": "declined", "notes": ""})
    assert response.status_code == 400
    assert Referral.objects.get(incident=referred).status == "referred"
    response = client.post(url, {"answer": "nonsense"})
    assert response.status_code == 400


def test_another_department_gets_no_page_and_no_action(client, users, referred, district):
    from tests import factories as f

    other = f.UserFactory(role="partner", partner_department=f.PartnerDepartmentFactory())
    client.force_login(other)
    assert client.get(reverse("partner-job", args=[referred.pk])).status_code == 404
    url = reverse("partner-job-action", args=[referred.pk, "accept"])
    assert client.post(url).status_code == 404  # refused, and the job is not in its sight
    assert Referral.objects.get(incident=referred).status == "referred"


def test_police_and_street_users_cannot_open_the_partner_console(client, users):
    for user in (users.dispatcher, users.street_staff):
        client.force_login(user)
        assert client.get(reverse("partner-console")).status_code == 403


def test_referral_kpis_per_department_for_the_district_and_own_for_a_partner(
    api_client_for, users, referred
):
    body = api_client_for(users.dispatcher).get("/api/v1/referral-kpis/?group_by=department")
    assert body.status_code == 200
    groups = body.json()["groups"]
    assert [g["key"] for g in groups] == ["chengguan"]
    assert groups[0]["figures"]["referrals"]["value"] == 1
    own = api_client_for(users.partner).get("/api/v1/referral-kpis/").json()
    assert own["figures"]["open"] == 1
    # Not accepted yet but still within its two hours: not judged on time or late yet.
    assert own["figures"]["referral_accept_rate"]["denominator"] == 0
