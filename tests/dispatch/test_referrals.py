"""The referral loop (dispatch.referrals): a partner department accepts, reports, answers."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from analytics.engine import clocks_tick
from analytics.models import ClockInstance
from commandcenter.exceptions import ActionForbidden, InvalidTransition
from commandcenter.models import Event
from dispatch import referrals
from dispatch.models import Referral
from incidents.models import Incident
from tests import factories as f

pytestmark = pytest.mark.django_db


def post(client, url, body=None):
    return client.post(url, body or {}, format="json")


@pytest.fixture
def referred(call, api_client_for, users):
    """A street job accepted by street 1 and referred to 城管 (chengguan)."""
    incident = call(category="complaint", lat=30.015, lng=120.005).json()
    street = api_client_for(users.street_staff)
    base = f"/api/v1/incidents/{incident['id']}"
    post(street, f"{base}/accept/")
    response = post(street, f"{base}/refer/", {"to": "chengguan", "notes": "占道经营"})
    assert response.status_code == 200, response.content
    return Incident.objects.get(pk=incident["id"])


def kinds(incident) -> list[str]:
    return list(
        Event.objects.filter(subject_type="incidents.incident", subject_id=str(incident.pk))
        .order_by("seq")
        .values_list("kind", flat=True)
    )


def test_referral_to_a_department_opens_a_referral_due_in_the_default_hours(referred, settings):
    referral = Referral.objects.get(incident=referred)
    assert referral.status == "referred"
    assert referral.department.code == "chengguan"
    hours = (referral.expected_at - referral.referred_at).total_seconds() / 3600
    assert hours == pytest.approx(settings.REFERRAL_HANDLE_HOURS, abs=0.01)


def test_referral_to_mediation_opens_no_referral(call, api_client_for, users):
    incident = call(category="dispute", lat=30.015, lng=120.005).json()
    street = api_client_for(users.street_staff)
    base = f"/api/v1/incidents/{incident['id']}"
    post(street, f"{base}/accept/")
    assert post(street, f"{base}/refer/", {"to": "mediation"}).json()["status"] == "referred"
    assert not Referral.objects.filter(incident_id=incident["id"]).exists()


def test_street_gives_the_time_to_handle_by_as_people_type_it(call, api_client_for, users):
    incident = call(category="complaint", lat=30.015, lng=120.005).json()
    street = api_client_for(users.street_staff)
    base = f"/api/v1/incidents/{incident['id']}"
    post(street, f"{base}/accept/")
    later = timezone.localtime() + timedelta(days=2)
    typed = later.strftime("%Y-%m-%d %H:%M")
    assert (
        post(street, f"{base}/refer/", {"to": "chengguan", "expected_at": typed}).status_code == 200
    )
    expected = Referral.objects.get(incident_id=incident["id"]).expected_at
    assert timezone.localtime(expected).strftime("%Y-%m-%d %H:%M") == typed


def test_a_past_time_to_handle_by_is_a_field_error_and_changes_nothing(call, api_client_for, users):
    incident = call(category="complaint", lat=30.015, lng=120.005).json()
    street = api_client_for(users.street_staff)
    base = f"/api/v1/incidents/{incident['id']}"
    post(street, f"{base}/accept/")
    response = post(
        street, f"{base}/refer/", {"to": "chengguan", "expected_at": "2020-01-01 08:00"}
    )
    assert response.status_code == 400
    assert "expected_at" in response.json()
    assert Incident.objects.get(pk=incident["id"]).status == "accepted"
    assert not Referral.objects.exists()


def test_department_accepts_reports_and_handles_and_the_street_closes(
    referred, api_client_for, users
):
    referrals.referral_accept(actor=users.partner, incident_id=referred.pk)
    referrals.referral_progress(actor=users.partner, incident_id=referred.pk, notes="已派执法队员")
    referrals.referral_answer(
        actor=users.partner, incident_id=referred.pk, answer="handled", notes="摊位已清理"
    )
    referred.refresh_from_db()
    assert (referred.status, referred.result_notes) == ("resolved", "摊位已清理")
    assert kinds(referred)[-3:] == ["referral.accepted", "referral.progress", "referral.handled"]
    street = api_client_for(users.street_staff)
    body = street.get(f"/api/v1/incidents/{referred.pk}/").json()
    labels = [row["label"] for row in body["timeline"]]
    assert "合作部门已办结" in labels  # Handled by the department
    closed = post(street, f"/api/v1/incidents/{referred.pk}/close/", {"feedback": "已告知"})
    assert closed.json()["status"] == "closed"


def test_not_its_responsibility_puts_the_job_back_with_the_street(referred, users):
    with pytest.raises(ValidationError):
        referrals.referral_answer(actor=users.partner, incident_id=referred.pk, answer="declined")
    referrals.referral_answer(
        actor=users.partner, incident_id=referred.pk, answer="declined", notes="不属城管职责"
    )
    referred.refresh_from_db()
    assert (referred.status, referred.tier, referred.status_reason) == (
        "accepted",
        "street",
        "不属城管职责",
    )
    assert Referral.objects.get(incident=referred).status == "declined"


def test_police_needed_puts_the_job_in_the_police_queue(referred, users):
    referrals.referral_answer(
        actor=users.partner, incident_id=referred.pk, answer="police_needed", notes="当事人持械"
    )
    referred.refresh_from_db()
    assert (referred.status, referred.tier) == ("returned", "police")


def test_a_declined_job_stays_in_the_departments_history(referred, users, api_client_for):
    referrals.referral_answer(
        actor=users.partner, incident_id=referred.pk, answer="declined", notes="不属城管职责"
    )
    other = f.PartnerDepartmentFactory(code="market")
    street = api_client_for(users.street_staff)
    post(street, f"/api/v1/incidents/{referred.pk}/refer/", {"to": "market"})
    assert Referral.objects.filter(incident=referred).count() == 2
    assert api_client_for(users.partner).get(f"/api/v1/incidents/{referred.pk}/").status_code == 200
    assert Referral.objects.get(incident=referred, status="referred").department == other


def test_only_the_department_referred_to_answers(referred, users):
    other = f.UserFactory(
        role="partner", partner_department=f.PartnerDepartmentFactory(code="market")
    )
    for actor in (other, users.street_staff, users.dispatcher):
        with pytest.raises(ActionForbidden):
            referrals.referral_accept(actor=actor, incident_id=referred.pk)
    assert Referral.objects.get(incident=referred).status == "referred"


def test_an_answered_referral_refuses_another_answer(referred, users):
    referrals.referral_answer(actor=users.partner, incident_id=referred.pk, answer="handled")
    with pytest.raises(InvalidTransition):
        referrals.referral_answer(
            actor=users.partner, incident_id=referred.pk, answer="declined", notes="x"
        )


def test_an_update_that_arrives_late_never_moves_the_job_back(referred, users):
    now = timezone.now()
    referrals.referral_answer(
        actor=users.partner,
        incident_id=referred.pk,
        answer="handled",
        at=now - timedelta(minutes=1),
    )
    # The "accepted" the department sent before its answer arrives after it.
    with pytest.raises(referrals.StaleUpdate):
        referrals.referral_accept(
            actor=users.partner, incident_id=referred.pk, at=now - timedelta(minutes=10)
        )
    referred.refresh_from_db()
    assert referred.status == "resolved"


def test_a_late_progress_note_is_recorded_and_moves_nothing(referred, users):
    now = timezone.now()
    referrals.referral_progress(
        actor=users.partner, incident_id=referred.pk, notes="现场核实", at=now
    )
    referrals.referral_progress(
        actor=users.partner,
        incident_id=referred.pk,
        notes="已联系当事人",
        at=now - timedelta(hours=1),
    )
    referral = Referral.objects.get(incident=referred)
    assert referral.last_update_at == now
    assert kinds(referred).count("referral.progress") == 2


def test_closing_a_referred_job_withdraws_its_referral(referred, api_client_for, users):
    street = api_client_for(users.street_staff)
    post(street, f"/api/v1/incidents/{referred.pk}/close/", {"feedback": "当事人撤回"})
    assert Referral.objects.get(incident=referred).status == "withdrawn"


def test_the_departments_clocks_run_from_the_referral(referred, users):
    clocks_tick()
    running = {c.definition.code: c for c in ClockInstance.objects.filter(incident=referred)}
    assert {"referral-accept", "referral-handle"} <= set(running)
    referral = Referral.objects.get(incident=referred)
    assert running["referral-handle"].due_at == referral.expected_at
    with time_machine.travel(timezone.now() + timedelta(hours=3), tick=False):
        referrals.referral_accept(actor=users.partner, incident_id=referred.pk)
        clocks_tick()
        accept = ClockInstance.objects.get(incident=referred, definition__code="referral-accept")
        assert accept.state == "breached"
        referrals.referral_answer(actor=users.partner, incident_id=referred.pk, answer="handled")
        clocks_tick()
    handle = ClockInstance.objects.get(incident=referred, definition__code="referral-handle")
    assert handle.state == "met"


def test_a_referral_left_open_on_a_closed_job_is_refused_not_crashed(referred, users):
    from incidents import services as incident_services

    # A path that closes the job without withdrawing its referral (the referral stays open).
    incident_services.incident_close(actor=users.street_staff, incident_id=referred.pk)
    with pytest.raises(InvalidTransition):
        referrals.referral_answer(actor=users.partner, incident_id=referred.pk, answer="handled")
    referred.refresh_from_db()
    assert referred.status == "closed"
