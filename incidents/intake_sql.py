"""The PostgreSQL function intake writes through (see incidents.services).

Python decides everything it can before the call: validation, placement,
routing, the row as routed (or closed as invalid) and its event. What
depends on the rows of the moment happens here, under the same locks:
finding the open incident this call repeats (nearest within the radius and
window, locked; if another transaction changed it first, PostgreSQL checks
it again and moves on), linking to it, numbering, inserting, counting the
call on the original and appending both events. The portable Python path in
incidents.services does the same on SQLite; tests run both on PostgreSQL and
compare rows and events.

The function's text is generated here from the Python definitions it must
agree with: the open statuses (written out, so the planner can use the
partial index incident_open_point) and the event payload of
incidents.lifecycle.incident_payload. A migration installs it; a test checks
that the installed function and the index still say what Python says, so a
change to either needs a migration that installs it again.
"""

from incidents.choices import OPEN_STATUSES
from incidents.lifecycle import PAYLOAD_DESCRIPTION_CHARS

_FUNCTION = r"""
CREATE OR REPLACE FUNCTION incidents_intake(
    p_row jsonb, p_event jsonb, p_repeat jsonb, p_sequence text, p_prefix text, p_lock bigint
) RETURNS jsonb AS $$
DECLARE
    v_row incidents_incident := jsonb_populate_record(NULL::incidents_incident, p_row);
    v_original incidents_incident;
    v_lat float8 := (p_repeat->>'lat')::float8;
    v_lng float8 := (p_repeat->>'lng')::float8;
    v_ky2 float8 := (p_repeat->>'ky2')::float8;
    v_kx2 float8 := (p_repeat->>'kx2')::float8;
    v_group bigint[] := ARRAY(SELECT jsonb_array_elements_text(p_repeat->'group'))::bigint[];
    v_kind text := p_event->>'kind';
    v_street bigint := (p_event->>'street_id')::bigint;
    v_occurred timestamptz := (p_event->>'occurred_at')::timestamptz;
    v_actor bigint := (p_event->>'actor_id')::bigint;
    v_running bigint;
BEGIN
    IF p_repeat IS NOT NULL THEN
        SELECT * INTO v_original FROM incidents_incident
        WHERE status IN ({open_statuses})
          AND repeat_of_id IS NULL
          AND category_id = ANY (v_group)
          AND received_at >= (p_repeat->>'since')::timestamptz
          AND lat BETWEEN (p_repeat->>'south')::float8 AND (p_repeat->>'north')::float8
          AND lng BETWEEN (p_repeat->>'west')::float8 AND (p_repeat->>'east')::float8
          AND (lat - v_lat) * (lat - v_lat) * v_ky2 + (lng - v_lng) * (lng - v_lng) * v_kx2
              <= (p_repeat->>'r2')::float8
        ORDER BY (lat - v_lat) * (lat - v_lat) * v_ky2 + (lng - v_lng) * (lng - v_lng) * v_kx2, id
        LIMIT 1
        FOR UPDATE;
        IF FOUND THEN
            v_row.status := 'linked';
            v_row.tier := v_original.tier;
            v_row.governance_center_id := v_original.governance_center_id;
            v_row.repeat_of_id := v_original.id;
            v_row.routing_rule_id := NULL;
            v_row.diverted_at := NULL;
            v_row.routing_reason := replace(p_repeat->>'reason', '%(number)s', v_original.number);
            v_kind := 'incident.linked';
            v_street := NULL;
        END IF;
    END IF;

    v_row.id := nextval(pg_get_serial_sequence('incidents_incident', 'id'));
    v_running := nextval(p_sequence);
    v_row.number := p_prefix || lpad(v_running::text, greatest(4, length(v_running::text)), '0');
    INSERT INTO incidents_incident SELECT v_row.*;

    IF v_original.id IS NOT NULL THEN
        UPDATE incidents_incident SET call_count = call_count + 1 WHERE id = v_original.id
        RETURNING call_count INTO v_original.call_count;
        -- incidents.lifecycle.incident_payload, for a row read here.
        PERFORM commandcenter_event_append(
            p_lock, v_occurred, v_actor, 'incident.repeat_call', 'incidents.incident',
            v_original.id::text,
            jsonb_build_object(
                'number', v_original.number,
                'status', v_original.status,
                'tier', v_original.tier,
                'category', (SELECT code FROM incidents_incidentcategory
                             WHERE id = v_original.category_id),
                'priority', v_original.priority,
                'lat', v_original.lat,
                'lng', v_original.lng,
                'received_at', to_char(v_original.received_at AT TIME ZONE 'UTC',
                                       'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'),
                'area_class', (SELECT area_class FROM patrol_patrolzone
                               WHERE id = v_original.zone_id),
                'category_name', (SELECT name FROM incidents_incidentcategory
                                  WHERE id = v_original.category_id),
                'address', v_original.address,
                'description', left(v_original.description, {description_chars}),
                'station_name', (SELECT name FROM commandcenter_station
                                 WHERE id = v_original.station_id),
                'post_name', (SELECT name FROM commandcenter_post WHERE id = v_original.post_id),
                'street_name', (SELECT name FROM commandcenter_street
                                WHERE id = v_original.street_id),
                'governance_center_name', (SELECT name FROM commandcenter_governancecenter
                                           WHERE id = v_original.governance_center_id),
                'routing_reason', v_original.routing_reason,
                'out_of_jurisdiction', v_original.out_of_jurisdiction,
                'repeat', v_row.number,
                'call_count', v_original.call_count
            ),
            v_original.station_id, v_original.post_id,
            CASE WHEN v_original.diverted_at IS NOT NULL THEN v_original.street_id END
        );
    END IF;

    PERFORM commandcenter_event_append(
        p_lock, v_occurred, v_actor, v_kind, 'incidents.incident', v_row.id::text,
        p_event->'payload' || jsonb_build_object(
            'number', v_row.number,
            'status', v_row.status,
            'tier', v_row.tier,
            'reason', v_row.routing_reason,
            'routing_reason', v_row.routing_reason,
            'governance_center_name', (SELECT name FROM commandcenter_governancecenter
                                       WHERE id = v_row.governance_center_id)
        ) || CASE WHEN v_original.id IS NOT NULL
                  THEN jsonb_build_object('repeat_of', v_original.number)
                  ELSE '{{}}'::jsonb END,
        (p_event->>'station_id')::bigint, (p_event->>'post_id')::bigint, v_street
    );

    RETURN jsonb_build_object(
        'id', v_row.id,
        'number', v_row.number,
        'status', v_row.status,
        'tier', v_row.tier,
        'governance_center_id', v_row.governance_center_id,
        'routing_reason', v_row.routing_reason,
        'repeat_of_id', v_original.id,
        'repeat_of_number', v_original.number
    );
END;
$$ LANGUAGE plpgsql;
"""

DROP_INTAKE_FUNCTION = (
    "DROP FUNCTION IF EXISTS incidents_intake(jsonb, jsonb, jsonb, text, text, bigint);"
)


def sql_status_list(statuses) -> str:
    return ", ".join(f"'{status}'" for status in sorted(statuses))


def intake_function_sql() -> str:
    """CREATE OR REPLACE FUNCTION incidents_intake(...), as Python defines it now."""
    return _FUNCTION.format(
        open_statuses=sql_status_list(OPEN_STATUSES),
        description_chars=PAYLOAD_DESCRIPTION_CHARS,
    )
