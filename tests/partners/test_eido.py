"""GET /api/v1/incidents/{id}/eido/: a job as a NENA EIDO 1.0 document, valid against
NENA's published schema (tests/partners/schemas/eido-openapi.yaml)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from analytics.callbacks import callback_record, callbacks_enqueue
from analytics.models import Callback
from commandcenter.models import AccessRecord
from community.choices import SensorType, SiteKind
from community.models import Sensor, SmartSite
from community.services import AlarmInput, alarms_record, site_place
from dispatch import services as dispatch_services
from dispatch.models import Assignment
from incidents import services as incident_services
from incidents.models import Incident
from patrol.models import Unit
from tests import factories as f
from tests.partners.eido_schema import assert_valid_eido, schema_errors

pytestmark = pytest.mark.django_db


def eido(client, incident_id: int, **params):
    return client.get(f"/api/v1/incidents/{incident_id}/eido/", params)


def by_id(document: dict) -> dict:
    found = {}
    for key, value in document.items():
        for component in value if isinstance(value, list) else [value]:
            if isinstance(component, dict) and "$id" in component and key != "$id":
                found[component["$id"]] = component
    return found


def notes_text(document: dict) -> str:
    return "\n".join(note["notesActionComments"] for note in document["notesComponent"])


@pytest.fixture
def police_job(call, users):
    """A robbery: A-01 and P-01 sent and on scene, resolved, closed, the caller called back."""
    dispatcher = users.dispatcher
    incident_id = call(description="有人抢包，报警人电话13912345678").json()["id"]
    unit_ids = [unit.pk for unit in Unit.objects.filter(call_sign__in=["A-01", "P-01"])]
    dispatch_services.incident_dispatch(
        actor=dispatcher, incident_id=incident_id, unit_ids=unit_ids
    )
    for assignment in Assignment.objects.filter(incident_id=incident_id):
        dispatch_services.assignment_advance(
            actor=dispatcher, assignment_id=assignment.pk, target="on_scene"
        )
    dispatch_services.incident_resolve(
        actor=dispatcher, incident_id=incident_id, result_code="case_opened", notes="嫌疑人已控制"
    )
    dispatch_services.incident_close(actor=dispatcher, incident_id=incident_id, feedback="已反馈")
    callbacks_enqueue()
    callback_record(
        callback_id=Callback.objects.get(incident_id=incident_id).pk,
        actor=dispatcher,
        result="satisfied",
        comment="民警来得很快",
    )
    return Incident.objects.get(pk=incident_id)


@pytest.fixture
def referred_job(call, api_client_for, users):
    """A complaint diverted to street 1, accepted and referred to 城管 (chengguan)."""
    incident_id = call(
        category="complaint",
        description="占道经营，联系人13912345678",
        lat=30.015,
        lng=120.005,
    ).json()["id"]
    street = users.street_staff
    incident_services.incident_accept(actor=street, incident_id=incident_id)
    dispatch_services.incident_refer(
        actor=street, incident_id=incident_id, to="chengguan", notes="请城管处理"
    )
    return Incident.objects.get(pk=incident_id)


def repeat_calls(call, count: int, category: str = "fight") -> Incident:
    """A job and `count` more calls about it from nearby, linked as repeats."""
    first = call(category=category, description="有人打架", lat=30.005, lng=120.005).json()
    for index in range(count):
        call(
            category=category,
            description=f"又有人报打架 {index}",
            caller_phone=f"1370000000{index}",
            lat=30.0051,
            lng=120.0051,
        )
    return Incident.objects.get(pk=first["id"])


@pytest.fixture
def alarm_job(district, django_capture_on_commit_callbacks):
    """An intrusion alarm at a smart site in station A's post zone, which became a job."""
    site = SmartSite(
        code="site-a", name="site-a 小区", kind=SiteKind.COMPOUND, address="测试路 8 号",
        grade=1, lat=30.004, lng=120.004,
    )  # fmt: skip
    site_place(site)
    site.save()
    Sensor.objects.create(
        site=site, device_id="IR-A-1", sensor_type=SensorType.INTRUSION, lat=site.lat,
        lng=site.lng, station_id=site.station_id, post_id=site.post_id, street_id=site.street_id,
    )  # fmt: skip
    gateway = f.UserFactory(username="sensor-gw", role="gateway")
    with django_capture_on_commit_callbacks(execute=True):
        alarms_record(
            actor=gateway,
            items=[
                AlarmInput(
                    device="IR-A-1",
                    time=timezone.now() - timedelta(seconds=5),
                    alarm_type="intrusion",
                    priority=1,
                    description="东门红外",
                )
            ],
            key_kind="sensors",
        )
    return Incident.objects.get(source="sensor_alarm")


# --- Valid documents --------------------------------------------------------------------


def test_police_job_with_two_units_on_scene_resolved_closed_and_called_back_is_valid_eido(
    police_job, api_client_for, users
):
    response = eido(api_client_for(users.dispatcher), police_job.pk)
    assert response.status_code == 200, response.content
    document = response.json()
    assert_valid_eido(document)
    assert document["eidoVersion"] == "1.0"
    incident = document["incidentComponent"]
    assert incident["incidentTypeCommonRegistryText"] == "INVEST"
    assert incident["incidentStatusCommonRegistryText"] == ["Closed"]
    assert incident["dispositionComponent"][0]["dispositionCommonRegistryCode"] == "01"
    resources = document["emergencyResourceComponent"]
    assert sorted(r["emergencyResourceName"] for r in resources) == ["A-01", "P-01"]
    # Both were on scene; resolving the job cleared them.
    assert {r["secondaryUnitStatusRegistryText"][0] for r in resources} == {"Cleared"}
    assert {r["primaryUnitStatusRegistryText"] for r in resources} == {"Available"}
    agencies = by_id(document)
    psap = agencies[document["updatedByAgencyReference"]["$ref"]]
    assert psap["agencyType"] == ["psap"]
    assert psap["agencyRoleDescriptionRegistryText"] == ["CallReceiving", "Dispatching"]
    [dispatch] = document["dispatchComponent"]
    assert agencies[dispatch["agencyReference"]["$ref"]]["agencyType"] == ["police"]
    assert len(dispatch["emergencyResourceReference"]) == 2
    text = notes_text(document)
    assert "民警来得很快" in text and "嫌疑人已控制" in text and "已反馈" in text
    assert "Units dispatched" in text or "派警" in text or "A-01" in text


def test_caller_is_masked_unless_revealed_and_the_reveal_is_recorded(
    police_job, api_client_for, users
):
    client = api_client_for(users.dispatcher)
    masked = eido(client, police_job.pk).json()
    assert "callbackComponent" not in masked
    assert "138****8000" in notes_text(masked) and "13800138000" not in notes_text(masked)
    revealed = eido(client, police_job.pk, reveal="caller", purpose="contact").json()
    assert_valid_eido(revealed)
    assert revealed["callbackComponent"][0]["callBackInformationUri"] == ["tel:13800138000"]
    assert "张三" in notes_text(revealed)
    assert AccessRecord.objects.filter(
        object_id=str(police_job.pk), actor=users.dispatcher
    ).exists()


def test_job_diverted_to_the_street_and_referred_to_a_department_has_two_more_agencies_and_links(
    referred_job, api_client_for, users
):
    document = eido(api_client_for(users.dispatcher), referred_job.pk).json()
    assert_valid_eido(document)
    components = by_id(document)
    links = document["linkComponent"]
    assert [link["linkDirectionCode"] for link in links] == ["CHILD", "CHILD"]
    center, partner = (components[link["involvedAgencyReference"]["$ref"]] for link in links)
    assert center["$id"].endswith("governance-center:center-1")
    assert center["incidentOwningAgencyIndicator"] is True
    assert partner["$id"].endswith("partner:chengguan")
    assert partner["agencyRoleDescriptionRegistryText"] == ["Assisting"]
    assert "请城管处理" in links[1]["transactionReasonText"]
    assert document["incidentComponent"]["incidentTypeCommonRegistryText"] == "NONEMERG"


def test_repeat_calls_are_calls_of_the_job(call, api_client_for, users):
    incident = repeat_calls(call, 3)
    assert incident.repeats.count() == 3
    document = eido(api_client_for(users.dispatcher), incident.pk).json()
    assert_valid_eido(document)
    calls = document["callComponent"]
    assert len(calls) == 4
    assert {c["direction"] for c in calls} == {"incoming"}
    assert len(document["personComponent"]) == 4
    # A repeat call's caller is masked even when the job's own caller is revealed.
    revealed = eido(api_client_for(users.dispatcher), incident.pk, reveal="caller").json()
    assert len(revealed["callbackComponent"]) == 1
    assert "13700000000" not in notes_text(revealed)


def test_alarm_job_carries_its_alarm_as_alarms_sensors(alarm_job, api_client_for, users):
    document = eido(api_client_for(users.dispatcher), alarm_job.pk).json()
    assert_valid_eido(document)
    [alarm] = document["alarmsSensorsComponent"]
    note = by_id(document)[alarm["notesReference"][0]["$ref"]]
    assert "IR-A-1" in note["notesActionComments"] and "东门红外" in note["notesActionComments"]
    assert document["incidentComponent"]["incidentTypeCommonRegistryText"] == "ALRU"
    assert document["callComponent"][0]["localCallType"] == "sensor_alarm"


def test_schema_check_refuses_a_document_without_agencies(police_job, api_client_for, users):
    """The validator is no rubber stamp."""
    document = eido(api_client_for(users.dispatcher), police_job.pk).json()
    del document["agencyComponent"]
    document["incidentComponent"]["incidentCommonPriorityNumber"] = "1"
    errors = schema_errors(document)
    assert any("agencyComponent" in error for error in errors)
    assert any("incidentCommonPriorityNumber" in error for error in errors)


# --- Who sees what ----------------------------------------------------------------------


def test_partner_reads_the_job_referred_to_it_masked(referred_job, api_client_for, users):
    response = eido(api_client_for(users.partner), referred_job.pk)
    assert response.status_code == 200, response.content
    document = response.json()
    assert_valid_eido(document)
    text = notes_text(document)
    assert "139****5678" in text and "13912345678" not in text
    assert "138****8000" in text and "张*" in text
    assert "street_1" not in text  # actors as org units, never by name


def test_partner_may_not_reveal_a_caller_it_did_not_report(referred_job, api_client_for, users):
    response = eido(api_client_for(users.partner), referred_job.pk, reveal="caller")
    assert response.status_code == 403


def test_partner_gets_404_for_a_job_not_referred_to_it(police_job, api_client_for, users):
    assert eido(api_client_for(users.partner), police_job.pk).status_code == 404


def test_station_gets_404_for_another_stations_job(police_job, api_client_for, users):
    assert eido(api_client_for(users.chief_b), police_job.pk).status_code == 404
    assert eido(api_client_for(users.chief_a), police_job.pk).status_code == 200


def test_anonymous_is_refused(police_job, client):
    assert client.get(f"/api/v1/incidents/{police_job.pk}/eido/").status_code in (401, 403)


def test_unknown_job_is_404(district, api_client_for, users):
    assert eido(api_client_for(users.dispatcher), 999999).status_code == 404


# --- Queries ----------------------------------------------------------------------------


def test_queries_do_not_grow_with_calls_and_units(
    call, api_client_for, users, django_assert_max_num_queries
):
    client = api_client_for(users.dispatcher)
    small = repeat_calls(call, 1)
    large = repeat_calls(call, 4, category="theft")
    units = [f.UnitFactory(home_station=small.station).pk for _ in range(3)]
    dispatch_services.incident_dispatch(
        actor=users.dispatcher, incident_id=large.pk, unit_ids=units
    )
    assert (large.repeats.count(), large.assignments.count()) == (4, 3)
    eido(client, small.pk)  # the directory's tables loaded
    with CaptureQueriesContext(connection) as one:
        assert eido(client, small.pk).status_code == 200
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert eido(client, large.pk).status_code == 200
    # The job, its calls, units, referrals, alarms, callback and timeline.
    with django_assert_max_num_queries(7):
        eido(client, large.pk)


def test_the_documented_example_is_valid_eido():
    from partners.api.views import EIDO_EXAMPLE

    assert schema_errors(EIDO_EXAMPLE) == []
