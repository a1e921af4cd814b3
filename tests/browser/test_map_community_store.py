"""The smart-secure sites' state of the map (frontend/static/js/map/community-store.js),
driven on its own in the browser: no server, no database."""

SETUP = """
  const { CommunityStore } = await import("/static/js/map/community-store.js");
  const store = new CommunityStore();
  const site = { id: 7, name: "望江家园", grade: 2, lat: 30.01, lng: 120.01, sensors: 4 };
  const offline = {
    id: 21, site: 7, sensor_type: "camera", status: "offline", lat: 30.01, lng: 120.01,
  };
  const pending = {
    id: 31, alarm_type: "intrusion", priority: 2, state: "review", count: 1, site: 7,
    lat: 30.01, lng: 120.01, incident: null,
  };
  const onJob = { ...pending, id: 32, state: "incident", incident: 90, incident_number: "N90" };
  store.replace({ sites: [site], sensors: [offline], alarms: [pending, onJob] });
  let seq = 0;
  const event = (type, id, kind, payload) => store.applyEvent({
    type: "event", seq: (seq += 1), kind, time: new Date().toISOString(),
    subject: { type, id: String(id) }, payload,
  });
  const sensorEvent = (id, status) => event("community.sensor", id, `sensor.${status}`, {
    sensor: id, device: `D${id}`, site: 7, type: "smoke", status, lat: 30.01, lng: 120.01,
    last_heartbeat_at: null,
  });
  const alarmEvent = (id, kind, state, extra = {}) => event("community.alarm", id, kind, {
    alarm: id, type: "smoke", type_name: "烟感", priority: 1, state, count: 1, site: 7,
    site_name: "望江家园", device: "D22", sensor_type: "smoke", lat: 30.01, lng: 120.01,
    incident: null, incident_number: null, ...extra,
  });
  const counts = () => {
    const { online, offline, fault, pending } = store.siteCounts(7);
    return { online, offline, fault, pending };
  };
"""

SENSORS = f"""async () => {{
{SETUP}
  const steps = {{ snapshot: counts() }};
  sensorEvent(22, "fault"); // never heard of: it was online
  steps.fault = counts();
  sensorEvent(22, "offline");
  steps.faultToOffline = counts();
  sensorEvent(21, "online");
  steps.backOnline = counts();
  steps.totals = store.totals();
  return steps;
}}"""


def test_a_sites_online_count_follows_its_sensors_events(modules_page):
    steps = modules_page.evaluate(SENSORS)

    assert steps["snapshot"] == {"online": 3, "offline": 1, "fault": 0, "pending": 1}
    assert steps["fault"] == {"online": 2, "offline": 1, "fault": 1, "pending": 1}
    assert steps["faultToOffline"] == {"online": 2, "offline": 2, "fault": 0, "pending": 1}
    assert steps["backOnline"] == {"online": 3, "offline": 1, "fault": 0, "pending": 1}
    assert steps["totals"] == {"sites": 1, "sensors": 4, "offline": 1, "fault": 0, "alarms": 2}


MERGE = f"""async () => {{
{SETUP}
  const since = store.lastSeq;
  sensorEvent(21, "online"); // after the site's list was asked for
  store.siteSensorsMerge(7, [
    {{ ...offline, status: "offline" }},
    {{ id: 23, site: 7, sensor_type: "gate", status: "online", lat: 30.01, lng: 120.01 }},
  ], since);
  return {{
    kept: store.sensors.get(21).status,
    added: store.sensors.has(23),
    loaded: store.loadedSites.has(7),
    counts: counts(),
  }};
}}"""


def test_a_sites_sensor_list_read_late_never_undoes_a_newer_event(modules_page):
    result = modules_page.evaluate(MERGE)

    assert result == {
        "kept": "online",
        "added": True,
        "loaded": True,
        "counts": {"online": 4, "offline": 0, "fault": 0, "pending": 1},
    }


ALARMS = f"""async () => {{
{SETUP}
  const ids = () => [...store.alarms.keys()].sort();
  const steps = {{ snapshot: ids() }};
  alarmEvent(33, "alarm.raised", "review");
  alarmEvent(34, "alarm.raised", "recorded"); // recorded only: never on the map
  steps.raised = ids();
  alarmEvent(33, "alarm.dismissed", "dismissed");
  steps.dismissed = ids();
  // Its job is cancelled: the alarm on it leaves; an event of a job still open changes nothing.
  event("incidents.incident", 90, "incident.dispatched", {{ status: "dispatched" }});
  steps.jobOpen = ids();
  event("incidents.incident", 90, "incident.closed", {{ status: "cancelled" }});
  steps.jobClosed = ids();
  steps.pending = counts().pending;
  return steps;
}}"""


def test_alarms_leave_when_handled_or_when_their_job_closes(modules_page):
    steps = modules_page.evaluate(ALARMS)

    assert steps == {
        "snapshot": [31, 32],
        "raised": [31, 32, 33],
        "dismissed": [31, 32],
        "jobOpen": [31, 32],
        "jobClosed": [31],
        "pending": 1,
    }
