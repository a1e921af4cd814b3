"""One round trip to append an event on PostgreSQL: lock, number, insert.

The transaction-scoped advisory lock is held until commit, so numbers are
dense and commit in order (see commandcenter.services.event_record).
"""

from django.db import migrations

from commandcenter.db.migrations import postgresql_sql

FORWARD = """
CREATE OR REPLACE FUNCTION commandcenter_event_append(
    p_lock bigint, p_occurred_at timestamptz, p_actor_id bigint, p_kind varchar,
    p_subject_type varchar, p_subject_id varchar, p_payload jsonb,
    p_station_id bigint, p_post_id bigint, p_street_id bigint
) RETURNS bigint AS $$
DECLARE
    next_seq bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(p_lock);
    SELECT COALESCE(MAX(seq), 0) + 1 INTO next_seq FROM commandcenter_event;
    INSERT INTO commandcenter_event (seq, occurred_at, actor_id, kind, subject_type,
                                     subject_id, payload, station_id, post_id, street_id)
    VALUES (next_seq, p_occurred_at, p_actor_id, p_kind, p_subject_type, p_subject_id,
            p_payload, p_station_id, p_post_id, p_street_id);
    RETURN next_seq;
END;
$$ LANGUAGE plpgsql;
"""

BACKWARD = "DROP FUNCTION IF EXISTS commandcenter_event_append" \
    "(bigint, timestamptz, bigint, varchar, varchar, varchar, jsonb, bigint, bigint, bigint);"


class Migration(migrations.Migration):
    dependencies = [("commandcenter", "0003_dailycounter")]

    operations = [postgresql_sql(FORWARD, BACKWARD)]
