"""The actions on a job: one registry for the API and the job panel.

Each action names its service, its input (a serializer: the API documents it,
the job panel validates its form with it), the words the panel shows, and who
is offered it: the police side, the street side, either, or the side of the
job's own tier. Services still decide what is allowed; the registry decides
which routes exist and which buttons a user sees, from the same transition
table the services check.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from commandcenter.directory import directory
from commandcenter.selectors import partner_department_list
from dispatch import services
from dispatch.api.serializers import (
    CloseSerializer,
    DispatchSerializer,
    InvalidateSerializer,
    ReasonSerializer,
    ReferSerializer,
    ResolveSerializer,
    SettleSerializer,
    TransferSerializer,
)
from dispatch.choices import DISPATCHABLE_STATUSES
from incidents import services as incident_services
from incidents.choices import TRANSITIONS, CategoryKind, IncidentStatus, Tier
from incidents.models import Incident, IncidentCategory, ResultCode
from incidents.permissions import may_act_as_police, may_act_as_street

S = IncidentStatus
POLICE, STREET, EITHER, TIER = "police", "street", "either", "tier"


@dataclass(frozen=True)
class Input:
    """One field of an action's form in the job panel."""

    name: str
    placeholder: str = ""
    max_length: int = 0
    # A select's options for (user, incident): [(value, label)]; None for a text field.
    options: Callable[..., list[tuple[str, str]]] | None = None
    checkbox: bool = False  # a tick box labelled with the placeholder
    when: Callable[[Incident], bool] | None = None  # shown only when this holds


@dataclass(frozen=True)
class JobAction:
    name: str  # the URL's last part: POST /incidents/{id}/{name}/
    service: Callable[..., object]  # service(actor=…, incident_id=…, **input)
    request: type | None  # the input serializer
    side: str  # POLICE, STREET, EITHER or TIER
    target: str | None  # the status it moves the job to; None: it sends units
    label: str  # the button
    prompt: str  # what the panel says beside it
    done: str  # what the panel says after it
    summary: str  # the API's one line
    tiers: frozenset[str] | None = None  # the job tiers it is for; None: any
    inputs: tuple[Input, ...] = ()
    style: str = ""  # the button's look: primary, warning, danger
    attribute: str | None = None  # its name on the viewset when `name` can't be

    def applies_to(self, incident: Incident) -> bool:
        """Does the job's state allow it (whoever asks)?"""
        if self.tiers is not None and incident.tier not in self.tiers:
            return False
        if self.target is None:
            return incident.status in DISPATCHABLE_STATUSES
        return self.target in TRANSITIONS[incident.status]

    def offered(self, incident: Incident, *, police: bool, street: bool) -> bool:
        sides = {
            POLICE: police,
            STREET: street,
            EITHER: police or street,
            TIER: police if incident.tier == Tier.POLICE else street,
        }
        return sides[self.side] and self.applies_to(incident)


def _result_codes(user, incident: Incident) -> list[tuple[str, str]]:
    tier = Tier.STREET if incident.tier == Tier.STREET else Tier.POLICE
    return [
        (result.code, f"{result.gat_code} {result.name}" if result.gat_code else result.name)
        for result in directory.rows(ResultCode)
        if result.active and result.for_tier in ("", tier)
    ]


def _invalid_reasons(user, incident: Incident) -> list[tuple[str, str]]:
    return [
        (category.code, category.name)
        for category in directory.rows(IncidentCategory)
        if category.active and category.kind == CategoryKind.INVALID
    ]


def _referral_targets(user, incident: Incident) -> list[tuple[str, str]]:
    departments = partner_department_list(user=user)
    return [(services.MEDIATION, str(_("Mediation center")))] + [
        (department.code, department.name) for department in departments
    ]


NOTES = Input("notes", placeholder=_("Notes"), max_length=2000)

JOB_ACTIONS: tuple[JobAction, ...] = (
    JobAction(
        name="dispatch",
        attribute="dispatch_units",
        service=lambda *, units, **rest: services.incident_dispatch(unit_ids=units, **rest),
        request=DispatchSerializer,
        side=TIER,
        tiers=frozenset({Tier.POLICE, Tier.STREET}),
        target=None,
        label=_("Dispatch"),
        prompt=_("Nearest free units"),
        done=_("Units dispatched."),
        summary="Send one or more free units (all or none)",
    ),
    JobAction(
        name="accept",
        service=incident_services.incident_accept,
        request=None,
        side=STREET,
        tiers=frozenset({Tier.STREET}),
        target=S.ACCEPTED,
        label=_("Accept"),
        prompt=_("Take the job for the governance center"),
        done=_("Job accepted."),
        summary="Street: accept (签收) a diverted job",
        style="primary",
    ),
    JobAction(
        name="resolve",
        service=services.incident_resolve,
        request=ResolveSerializer,
        side=POLICE,
        tiers=frozenset({Tier.POLICE}),
        target=S.RESOLVED,
        label=_("Resolve"),
        prompt=_("Resolve"),
        done=_("Job resolved."),
        summary="Record the result; units are cleared",
        inputs=(Input("result_code", placeholder=_("Result…"), options=_result_codes), NOTES),
        style="primary",
    ),
    JobAction(
        name="settle",
        service=services.incident_settle,
        request=SettleSerializer,
        side=STREET,
        tiers=frozenset({Tier.STREET}),
        target=S.RESOLVED,
        label=_("Settle"),
        prompt=_("Settle on site"),
        done=_("Job settled on site."),
        summary="Street: settle the job, with a result",
        inputs=(
            Input("result_code", placeholder=_("Result…"), options=_result_codes),
            NOTES,
            Input(
                "remote",
                placeholder=_("Settled without going (by phone, or the parties came in)"),
                checkbox=True,
                when=lambda incident: incident.on_scene_at is None,
            ),
        ),
        style="primary",
    ),
    JobAction(
        name="refer",
        service=services.incident_refer,
        request=ReferSerializer,
        side=STREET,
        tiers=frozenset({Tier.STREET}),
        target=S.REFERRED,
        label=_("Refer"),
        prompt=_("Refer to"),
        done=_("Job referred."),
        summary="Street: refer to the mediation center or a partner department",
        inputs=(
            Input("to", placeholder=_("Where…"), options=_referral_targets),
            NOTES,
            Input(
                "expected_at",
                placeholder=_("A department: handle by (2026-12-01 18:00; empty: 72 h)"),
                max_length=16,
            ),
        ),
    ),
    JobAction(
        name="close",
        service=services.incident_close,
        request=CloseSerializer,
        side=EITHER,
        target=S.CLOSED,
        label=_("Close job"),
        prompt=_("Close"),
        done=_("Job closed."),
        summary="Write feedback and close the job",
        inputs=(
            Input(
                "feedback",
                placeholder=_("Feedback to the caller / result written back"),
                max_length=2000,
            ),
        ),
        style="primary",
    ),
    JobAction(
        name="return",
        attribute="return_to_police",
        service=services.incident_return,
        request=ReasonSerializer,
        side=STREET,
        tiers=frozenset({Tier.STREET}),
        target=S.RETURNED,
        label=_("Return"),
        prompt=_("Return to the police"),
        done=_("Job returned to the police."),
        summary="Street: return the job to the police",
        inputs=(Input("reason", placeholder=_("Why it is a police matter"), max_length=300),),
        style="warning",
    ),
    JobAction(
        name="unlink",
        service=incident_services.incident_unlink,
        request=None,
        side=POLICE,
        target=S.RECEIVED,
        label=_("Unlink"),
        prompt=_("Not a repeat call: handle it on its own"),
        done=_("Unlinked: routed as an incident of its own."),
        summary="Undo a repeat-call link: route this call as an incident of its own",
    ),
    JobAction(
        name="transfer",
        service=incident_services.incident_transfer,
        request=TransferSerializer,
        side=POLICE,
        tiers=frozenset({Tier.POLICE}),
        target=S.TRANSFERRED,
        label=_("Transfer"),
        prompt=_("Transfer to another district or agency"),
        done=_("Job transferred."),
        summary="移交: hand the job to a neighbouring district or another agency, with a reason",
        inputs=(
            Input("to", placeholder=_("Which district or agency"), max_length=100),
            Input("reason", placeholder=_("Why"), max_length=300),
        ),
        style="warning",
    ),
    JobAction(
        name="invalidate",
        service=incident_services.incident_invalidate,
        request=InvalidateSerializer,
        side=POLICE,
        tiers=frozenset({Tier.POLICE}),
        target=S.INVALID,
        label=_("Close as invalid"),
        prompt=_("Invalid call"),
        done=_("Closed as an invalid call."),
        summary="Close as an invalid call, with its reason",
        inputs=(Input("reason", placeholder=_("Reason…"), options=_invalid_reasons),),
        style="warning",
    ),
    JobAction(
        name="cancel",
        service=services.incident_cancel,
        request=ReasonSerializer,
        side=POLICE,  # the command center may also call a diverted job off
        target=S.CANCELLED,
        label=_("Cancel job"),
        prompt=_("Cancel"),
        done=_("Job cancelled."),
        summary="Cancel the job, with a reason",
        inputs=(Input("reason", placeholder=_("Why the job is called off"), max_length=300),),
        style="danger",
    ),
)
JOB_ACTIONS_BY_NAME = {action.name: action for action in JOB_ACTIONS}


def job_actions_offered(user, incident: Incident) -> list[JobAction]:
    """The actions `user` is offered on `incident`, in the panel's order."""
    police = may_act_as_police(user, incident)
    street = may_act_as_street(user, incident)
    return [
        action for action in JOB_ACTIONS if action.offered(incident, police=police, street=street)
    ]
