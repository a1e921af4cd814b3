"""The event log refuses UPDATE and DELETE in the database itself (PostgreSQL)."""

from django.db import migrations

from commandcenter.db.migrations import postgresql_sql

FORWARD = """
CREATE OR REPLACE FUNCTION commandcenter_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER commandcenter_event_append_only
    BEFORE UPDATE OR DELETE ON commandcenter_event
    FOR EACH ROW EXECUTE FUNCTION commandcenter_event_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS commandcenter_event_append_only ON commandcenter_event;
DROP FUNCTION IF EXISTS commandcenter_event_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("commandcenter", "0001_initial")]

    operations = [postgresql_sql(FORWARD, BACKWARD)]
