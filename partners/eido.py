"""A job as a NENA EIDO 1.0 document (NENA-STA-021, the JSON schema of NENA911/EIDO-JSON).

The district's command center is the PSAP: the call-receiving and dispatching
agency that issues the document. The stations whose units went, the street's
governance center the job was diverted to, the partner departments it was
referred to and the 119/120 service it was handed to are further agencies;
each hand-over to the street or a department is a link. Every call about the
job (the job and the repeat calls linked to it) is a call; each unit sent is an
emergency resource of its agency's dispatch; the result is the disposition;
the description, the caller, the results, the callback and every event of the
timeline are notes; the smart-site alarms that raised or joined the job are
alarms/sensors.

Registry values (agency roles, incident types after APCO ANS 2.103.2, incident
status, disposition codes after APCO ANS 1.111.2, unit status, resource types,
location types, person roles) are the ones NENA-STA-021 asks IANA to register.

Personal data as in the job's detail (/api/v1/incidents/{id}/): the caller
masked unless the view recorded the read (`caller_revealed`), free text and
the timeline masked for partners, who read actors as org units. Alarms and
callbacks are read through their own selectors, so a reader who may not see
them gets none. The document reads a fixed number of queries whatever the
number of calls, units, referrals, alarms and events (`eido_incident`).
"""

from datetime import datetime
from html import escape

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.callbacks import callback_list
from commandcenter.access import visible
from commandcenter.directory import directory
from commandcenter.models import Bureau, GovernanceCenter, PartnerDepartment, Station, Street
from community.models import Alarm
from dispatch.choices import AssignmentStatus
from dispatch.models import Assignment, Referral
from incidents.categories import category_ancestors, category_path
from incidents.choices import IncidentStatus, Linkage
from incidents.models import Incident, IncidentCategory, ResultCode
from incidents.permissions import mask_name, mask_personal_text, mask_phone, sees_text_masked
from incidents.selectors import incident_timeline
from patrol.choices import UnitType
from patrol.models import PatrolZone

EIDO_VERSION = "1.0"
S = IncidentStatus
A = AssignmentStatus

# Category code (the nearest mapped one up the tree) → EIDO-IncidentType-Common.
INCIDENT_TYPES = {
    "criminal": "INVEST",
    "theft": "LARCENY",
    "ebike_theft": "LARCENY",
    "pickpocket": "LARCENY",
    "burglary": "BURGLARY",
    "robbery": "ROBBERY",
    "fraud": "FRAUD",
    "assault": "ASSAULT",
    "fight": "FIGHT",
    "provocation": "DISORD",
    "gambling": "VICE",
    "public_order": "DISORD",
    "traffic": "MVAUNK",
    "traffic_injury": "MVAINJY",
    "traffic_damage": "MVA",
    "fire": "FUNK",
    "missing_person": "PERMISS",
    "alarm": "ALRU",
    "dispute": "CDX",
    "neighbour_dispute": "CDX",
    "consumer_dispute": "CDX",
    "family_dispute": "DVNA",
    "assistance": "CITASST",
    "lockout": "FORCENTR",
    "lost_item": "PROPLOST",
    "medical": "SICK",
    "inquiry": "INFO",
    "complaint": "NONEMERG",
    "misdial": "911H",
    "silent": "911OPN",
    "prank": "NONEMERG",
    "repeat": "NONEMERG",
}
NO_INCIDENT_TYPE = "NCRNONE"  # "None - No Code Found"

# Our status → EIDO-IncidentStatus-Common.
INCIDENT_STATUSES = {
    S.RECEIVED: ["Active"],
    S.DISPATCHED: ["Active", "ResourcesAssigned"],
    S.ON_SCENE: ["Active", "ResourcesOnscene"],
    S.RESOLVED: ["Active"],
    S.CLOSED: ["Closed"],
    S.DIVERTED: ["Active"],
    S.ACCEPTED: ["Active"],
    S.REFERRED: ["Active"],
    S.RETURNED: ["Active"],
    S.LINKED: ["Closed"],
    S.CANCELLED: ["Cancelled"],
    S.INVALID: ["Closed"],
    S.TRANSFERRED: ["Closed"],
}

# Result code → EIDO-CommonDispositionCode (APCO ANS 1.111.2).
DISPOSITIONS = {
    "settled_on_site": "18",  # Assignment Completed/Settled By Contact
    "case_opened": "01",  # Report Taken
    "referred": "15",  # Referred to partner agency
    "mediated": "18",
    "assisted": "18",
    "no_police_matter": "13",  # Information/Administrative
    "false_report": "02",  # No Report Taken
    "other": "13",
}
# A job that ended without a result code.
STATUS_DISPOSITIONS = {
    S.CANCELLED: "10",  # Event Cancelled
    S.INVALID: "02",
    S.LINKED: "22",  # Cancelled - Duplicate Call
    S.TRANSFERRED: "15",
}

# Assignment step → EIDO-PrimaryUnitStatus-Common and -SecondaryUnitStatus-Common.
UNIT_STATUSES = {
    A.DISPATCHED: ("NotAvailable", ["Dispatched"]),
    A.ACKNOWLEDGED: ("NotAvailable", ["AcknowledgedTransmission"]),
    A.EN_ROUTE: ("NotAvailable", ["EnRoute"]),
    A.ON_SCENE: ("NotAvailable", ["OnScene"]),
    A.CLEARED: ("Available", ["Cleared"]),
}

# Unit type → EIDO-EmergencyResourceType-Common.
RESOURCE_TYPES = {
    UnitType.PATROL_CAR: "PatrolUnit",
    UnitType.MOTORCYCLE: "TrafficUnit",
    UnitType.FOOT: "PatrolUnit",
    UnitType.PTU: "SWAT",
    UnitType.MOBILE_TEAM: "PatrolUnit",
    UnitType.STREET_FORCE: "CivilServiceOfficer",
    UnitType.VOLUNTEER: "CommunityPolicingUnit",
}

# Priority 1–4 → STA-023 call priority.
CALL_PRIORITIES = {1: "highest", 2: "high", 3: "normal", 4: "low"}
# Linkage → IANA urn:emergency:service:responder type.
LINKAGE_AGENCY_TYPES = {Linkage.FIRE: "fire", Linkage.MEDICAL: "ems"}


def eido_incident(*, user, incident_id: int) -> Incident:
    """The job `user` may see, with everything its document reads, or DoesNotExist.

    Fixed queries: the job, its repeat calls, its units, its referrals and its
    alarms (those `user` may see); the document adds the callback and the
    timeline. Org units, categories and result codes come from the directory."""
    return (
        visible(Incident.objects.select_related("repeat_of"), user)
        .prefetch_related(
            Prefetch("repeats", queryset=Incident.objects.order_by("received_at", "pk")),
            Prefetch(
                "assignments", queryset=Assignment.objects.select_related("unit").order_by("pk")
            ),
            Prefetch("referrals", queryset=Referral.objects.order_by("referred_at", "pk")),
            Prefetch(
                "alarms",
                queryset=visible(Alarm.objects.select_related("sensor", "site"), user).order_by(
                    "first_at", "pk"
                ),
            ),
        )
        .get(pk=incident_id)
    )


def _time(moment: datetime) -> str:
    return timezone.localtime(moment).isoformat()


def _ref(identifier: str) -> dict:
    return {"$ref": identifier}


class _Document:
    """The components of one document, as they are built."""

    def __init__(self, *, incident: Incident, user, caller_revealed: bool) -> None:
        self.incident = incident
        self.user = user
        self.caller_revealed = caller_revealed
        self.masked = sees_text_masked(user)
        bureaus = directory.rows(Bureau)
        self.domain = bureaus[0].code if bureaus else "tianshu"
        self.psap = f"urn:tianshu:agency:{self.domain}:command-center"
        self.agencies: dict[str, dict] = {}
        self.notes: list[dict] = []
        self.locations: list[dict] = []

    # --- identifiers and the prologue every component carries ---------------------------

    def tracking_id(self, suffix: str) -> str:
        """A NENA-STA-010 incident tracking identifier of ours."""
        return f"urn:emergency:uid:incidentid:{suffix}:{self.domain}"

    def component(self, identifier: str, at: datetime, by: str | None = None, **fields) -> dict:
        return {
            "$id": identifier,
            "lastUpdateTimeStamp": _time(at),
            "updatedByAgencyReference": _ref(by or self.psap),
            **fields,
        }

    def text(self, value: str) -> str:
        return mask_personal_text(value) if self.masked else value

    def note(self, key: str, at: datetime, words: str, by: str | None = None) -> dict:
        identifier = f"urn:tianshu:note:{self.incident.number}:{key}"
        self.notes.append(
            self.component(identifier, at, by, notesActionComments=escape(self.text(words)))
        )
        return _ref(identifier)

    # --- agencies ------------------------------------------------------------------------

    def agency(self, identifier: str, *, roles: list[str], types: list[str], **fields) -> str:
        if identifier not in self.agencies:
            self.agencies[identifier] = self.component(
                identifier,
                self.incident.updated_at,
                agencyRoleDescriptionRegistryText=roles,
                agencyType=types,
                **fields,
            )
        else:
            known = self.agencies[identifier]["agencyRoleDescriptionRegistryText"]
            known.extend(role for role in roles if role not in known)
        return identifier

    def station_agency(self, station_id: int) -> str:
        station = directory.get(Station, station_id)
        return self.agency(
            f"urn:tianshu:agency:{self.domain}:station:{station.code}",
            roles=["Dispatched"],
            types=["police"],
        )

    def center_agency(self, center_id: int, roles: list[str]) -> str:
        center = directory.get(GovernanceCenter, center_id)
        return self.agency(
            f"urn:tianshu:agency:{self.domain}:governance-center:{center.code}",
            roles=roles,
            types=["other"],
            incidentOwningAgencyIndicator=self.incident.tier == "street",
        )

    def partner_agency(self, department_id: int) -> str:
        department = directory.get(PartnerDepartment, department_id)
        return self.agency(
            f"urn:tianshu:agency:{self.domain}:partner:{department.code}",
            roles=["Assisting"],
            types=["other"],
        )


def _category_type(category_id: int) -> str:
    category = directory.get(IncidentCategory, category_id)
    for node in category_ancestors(category) if category else []:
        if node.code in INCIDENT_TYPES:
            return INCIDENT_TYPES[node.code]
    return NO_INCIDENT_TYPE


def _location(doc: _Document, key: str, row, *, kind: str, description: str = "") -> dict:
    """A point (WGS 84) in PIDF-LO, with the address and the district's places as text."""
    identifier = f"urn:tianshu:location:{doc.incident.number}:{key}"
    pidf = (
        '<presence xmlns="urn:ietf:params:xml:ns:pidf" '
        'xmlns:gp="urn:ietf:params:xml:ns:pidf:geopriv10" '
        'xmlns:gml="http://www.opengis.net/gml" '
        f'entity="pres:{escape(identifier)}"><tuple id="location"><status><gp:geopriv>'
        '<gp:location-info><gml:Point srsName="urn:ogc:def:crs:EPSG::4326">'
        f"<gml:pos>{row.lat} {row.lng}</gml:pos></gml:Point></gp:location-info>"
        "</gp:geopriv></status></tuple></presence>"
    )
    places = [
        f"{label}:{unit.code}"
        for label, model, pk in (
            ("zone", PatrolZone, getattr(row, "zone_id", None)),
            ("station", Station, row.station_id),
            ("street", Street, row.street_id),
        )
        if pk and (unit := directory.get(model, pk))
    ]
    component = doc.component(
        identifier,
        row.received_at if isinstance(row, Incident) else doc.incident.updated_at,
        locationTypeDescriptionRegistryText=kind,
        locationByValue=pidf,
        locationDescriptionText=" · ".join(filter(None, [row.address, description])),
    )
    if places:
        component["localIdentifier"] = places
    doc.locations.append(component)
    return _ref(identifier)


def _calls(doc: _Document) -> tuple[list[dict], list[dict], list[dict]]:
    """Each call (the job's own, then its repeat calls) with its caller and call-back."""
    calls, people, callbacks = [], [], []
    incident = doc.incident
    for index, call in enumerate([incident, *incident.repeats.all()]):
        revealed = doc.caller_revealed and call is incident
        phone = call.caller_phone if revealed else mask_phone(call.caller_phone)
        name = call.caller_name if revealed else mask_name(call.caller_name)
        call_id = f"urn:emergency:uid:callid:{call.number}:{doc.domain}"
        same_place = (call.lat, call.lng) == (incident.lat, incident.lng)
        where = (
            _ref(doc.locations[0]["$id"])
            if same_place
            else _location(doc, f"call-{index}", call, kind="Other", description=call.number)
        )
        component = doc.component(
            call_id,
            call.received_at,
            callStateRegistryText="callEnd",
            standardPrimaryCallType="emergency",
            localCallType=call.source,
            direction="incoming",
            callStartTimestamp=_time(call.received_at),
            priorityIdentifier=CALL_PRIORITIES.get(call.priority, "normal"),
            locationReference=[where],
            agencyReference=[_ref(doc.psap)],
        )
        if call.caller_phone or call.caller_name:
            person_id = f"urn:tianshu:person:{call.number}:caller"
            person = doc.component(
                person_id,
                call.received_at,
                personIncidentRoleRegistryText=["Caller"],
                callIdentifier=[call_id],
                notesReference=[
                    doc.note(
                        f"caller-{index}",
                        call.received_at,
                        _("Caller: %(name)s %(phone)s") % {"name": name, "phone": phone},
                    )
                ],
            )
            # A number to call back only when shown unmasked: a masked one dials no one.
            if revealed and call.caller_phone:
                callback_id = f"urn:tianshu:callback:{call.number}"
                callbacks.append(
                    doc.component(
                        callback_id, call.received_at, callBackInformationUri=[f"tel:{phone}"]
                    )
                )
                component["callBackReference"] = person["callBackReference"] = _ref(callback_id)
            component["personReference"] = [_ref(person_id)]
            people.append(person)
        calls.append(component)
    return calls, people, callbacks


def _unit_agency(doc: _Document, unit) -> str:
    if unit.home_governance_center_id and unit.unit_type in (
        UnitType.STREET_FORCE,
        UnitType.VOLUNTEER,
    ):
        return doc.center_agency(unit.home_governance_center_id, ["Dispatched"])
    if unit.home_station_id:
        return doc.station_agency(unit.home_station_id)
    return doc.center_agency(unit.home_governance_center_id, ["Dispatched"])


def _dispatch(doc: _Document) -> tuple[list[dict], list[dict]]:
    """Each unit sent is a resource; the units of one agency are one dispatch."""
    resources, by_agency = [], {}
    for assignment in doc.incident.assignments.all():
        unit = assignment.unit
        steps = [
            assignment.dispatched_at,
            assignment.acknowledged_at,
            assignment.en_route_at,
            assignment.on_scene_at,
            assignment.cleared_at,
        ]
        primary, secondary = UNIT_STATUSES[assignment.status]
        identifier = f"urn:tianshu:resource:{doc.incident.number}:{assignment.pk}"
        resources.append(
            doc.component(
                identifier,
                max(step for step in steps if step),
                emergencyResourceTypeCommonRegistryText=RESOURCE_TYPES.get(
                    unit.unit_type, "PatrolUnit"
                ),
                emergencyResourceTypeInternalText=unit.unit_type,
                emergencyResourceName=unit.call_sign,
                resourceAttributeRegistryText=[],
                primaryUnitStatusRegistryText=primary,
                secondaryUnitStatusRegistryText=secondary,
                unitStatusInternal=[assignment.status],
                # The officers are not exported: partners read units, never persons.
                agentReference=[],
            )
        )
        agency = _unit_agency(doc, unit)
        entry = by_agency.setdefault(agency, {"at": assignment.dispatched_at, "units": []})
        entry["at"] = max(entry["at"], assignment.dispatched_at)
        entry["units"].append(_ref(identifier))
    dispatches = [
        doc.component(
            f"urn:tianshu:dispatch:{doc.incident.number}:{index}",
            entry["at"],
            agencyReference=_ref(agency),
            emergencyResourceReference=entry["units"],
        )
        for index, (agency, entry) in enumerate(by_agency.items())
    ]
    return resources, dispatches


def _links(doc: _Document) -> list[dict]:
    """The hand-overs: diverted to the street, referred to departments; a repeat's original."""
    incident, links = doc.incident, []
    if incident.repeat_of_id:
        links.append(
            doc.component(
                f"urn:tianshu:link:{incident.number}:repeat-of",
                incident.received_at,
                incidentTrackingIdentifier=doc.tracking_id(incident.repeat_of.number),
                linkDirectionCode="PARENT",
                transactionReasonText=_("A repeat call about this incident"),
            )
        )
    if incident.diverted_at and incident.governance_center_id:
        center = doc.center_agency(incident.governance_center_id, ["Assisting"])
        name = directory.get(GovernanceCenter, incident.governance_center_id).name
        links.append(
            doc.component(
                f"urn:tianshu:link:{incident.number}:diverted",
                incident.accepted_at or incident.diverted_at,
                incidentTrackingIdentifier=doc.tracking_id(f"{incident.number}.street"),
                linkDirectionCode="CHILD",
                involvedAgencyReference=_ref(center),
                transactionReasonText=_("Diverted to %(center)s (non-police matter)")
                % {"center": name},
            )
        )
    referrals = list(incident.referrals.all())
    for referral in referrals:
        partner = doc.partner_agency(referral.department_id)
        name = directory.get(PartnerDepartment, referral.department_id).name
        words = [
            _("Referred to %(department)s") % {"department": name},
            referral.get_status_display(),
        ]
        words += [doc.text(referral.notes), doc.text(referral.answer)]
        answered = referral.last_update_at or referral.answered_at or referral.accepted_at
        links.append(
            doc.component(
                f"urn:tianshu:link:{incident.number}:referral-{referral.pk}",
                answered or referral.referred_at,
                partner if answered else None,
                incidentTrackingIdentifier=doc.tracking_id(
                    f"{incident.number}.referral{referral.pk}"
                ),
                linkDirectionCode="CHILD",
                involvedAgencyReference=_ref(partner),
                transactionReasonText=" · ".join(filter(None, words)),
            )
        )
    if incident.referred_to_id and not referrals:
        # Referred before the referral loop kept its own rows.
        doc.partner_agency(incident.referred_to_id)
    return links


def _disposition(doc: _Document) -> list[dict]:
    incident = doc.incident
    result = directory.get(ResultCode, incident.result_code_id)
    code = (
        DISPOSITIONS.get(result.code, "13") if result else STATUS_DISPOSITIONS.get(incident.status)
    )
    if code is None:
        return []
    at = incident.resolved_at or incident.closed_at or incident.updated_at
    notes = []
    if incident.result_notes:
        notes.append(doc.note("result", at, incident.result_notes))
    if incident.feedback:
        notes.append(doc.note("feedback", incident.closed_at or at, incident.feedback))
    disposition = doc.component(
        f"urn:tianshu:disposition:{incident.number}",
        at,
        dispositionCommonRegistryCode=code,
        dispositionPrimaryIndicator=True,
        dispositionCategoryText=result.code if result else incident.status,
        dispositionDescriptionText=result.name if result else incident.get_status_display(),
    )
    if notes:
        disposition["notesReference"] = notes
    return [disposition]


def _alarms(doc: _Document) -> list[dict]:
    components = []
    for alarm in doc.incident.alarms.all():
        sensor, site = alarm.sensor, alarm.site
        words = " · ".join(
            filter(
                None,
                [
                    alarm.get_alarm_type_display(),
                    alarm.description,
                    f"{sensor.get_sensor_type_display()} {sensor.device_id}",
                    site.name,
                    site.address,
                    f"{sensor.lat} {sensor.lng}",
                    _("%(count)d reports, %(first)s – %(last)s")
                    % {
                        "count": alarm.count,
                        "first": _time(alarm.first_at),
                        "last": _time(alarm.last_at),
                    },
                ],
            )
        )
        component = doc.component(
            f"urn:tianshu:alarm:{doc.incident.number}:{alarm.pk}",
            alarm.last_at,
            notesReference=[doc.note(f"alarm-{alarm.pk}", alarm.last_at, words)],
        )
        if alarm.snapshot_url or alarm.video_url:
            component["alarmUrl"] = alarm.snapshot_url or alarm.video_url
        components.append(component)
    return components


def _callback_note(doc: _Document) -> list[dict]:
    """回访: what the caller said afterwards, to those who read callbacks."""
    callback = callback_list(user=doc.user).filter(incident_id=doc.incident.pk).first()
    if callback is None or not callback.recorded_at:
        return []
    words = " · ".join(
        filter(None, [_("Callback"), callback.get_result_display(), callback.comment])
    )
    return [doc.note("callback", callback.recorded_at, words)]


def _timeline_notes(doc: _Document) -> list[dict]:
    references = []
    for entry in incident_timeline(incident=doc.incident, viewer=doc.user):
        words = " · ".join(filter(None, [entry["label"], entry["detail"], entry["actor_name"]]))
        # Already masked for partners by the timeline.
        identifier = f"urn:tianshu:note:{doc.incident.number}:event-{entry['seq']}"
        doc.notes.append(
            doc.component(identifier, entry["time"], notesActionComments=escape(words))
        )
        references.append(_ref(identifier))
    return references


def eido_document(*, incident: Incident, user, caller_revealed: bool = False) -> dict:
    """The job (from `eido_incident`) as an EIDO 1.0 document for `user`."""
    doc = _Document(incident=incident, user=user, caller_revealed=caller_revealed)
    doc.agency(
        doc.psap,
        roles=["CallReceiving", "Dispatching"],
        types=["psap"],
        incidentOwningAgencyIndicator=incident.tier != "street",
    )
    where = _location(doc, "incident", incident, kind="CurrentIncident")
    calls, people, callbacks = _calls(doc)
    if incident.station_id and incident.tier == "police":
        doc.station_agency(incident.station_id)
    if incident.linkage in LINKAGE_AGENCY_TYPES:
        doc.agency(
            f"urn:tianshu:agency:{doc.domain}:linkage:{incident.linkage}",
            roles=["TransferredTo"],
            types=[LINKAGE_AGENCY_TYPES[incident.linkage]],
        )
    resources, dispatches = _dispatch(doc)
    links = _links(doc)
    alarms = _alarms(doc)
    incident_notes = [doc.note("description", incident.received_at, incident.description)]
    dispositions = _disposition(doc)
    incident_notes += _callback_note(doc) + _timeline_notes(doc)

    category = directory.get(IncidentCategory, incident.category_id)
    incident_component = doc.component(
        doc.tracking_id(incident.number),
        incident.updated_at,
        incidentTypeCommonRegistryText=_category_type(incident.category_id),
        incidentTypeInternalCode=category.code if category else "",
        incidentTypeInternalText=category_path(category) if category else "",
        incidentStatusInternalText=[incident.status],
        incidentStatusCommonRegistryText=INCIDENT_STATUSES.get(incident.status, ["Active"]),
        internalIncidentId=incident.number,
        incidentPriorityInternalText=incident.get_priority_display(),
        incidentCommonPriorityNumber=incident.priority,
        locationReference=[where],
        notesReference=incident_notes,
    )
    if incident.zone_id and (zone := directory.get(PatrolZone, incident.zone_id)):
        incident_component["beatOrDispatchGroupText"] = zone.code
    if dispositions:
        incident_component["dispositionComponent"] = dispositions

    document = doc.component(
        doc.tracking_id(incident.number),
        incident.updated_at,
        eidoVersion=EIDO_VERSION,
        issuingElementIdentification=f"urn:tianshu:{doc.domain}:eido",
        incidentComponent=incident_component,
        callComponent=calls,
        agencyComponent=list(doc.agencies.values()),
        locationComponent=doc.locations,
        notesComponent=doc.notes,
    )
    for key, components in (
        ("personComponent", people),
        ("callbackComponent", callbacks),
        ("dispatchComponent", dispatches),
        ("emergencyResourceComponent", resources),
        ("linkComponent", links),
        ("alarmsSensorsComponent", alarms),
    ):
        if components:
            document[key] = components
    return document
