/**
 * The live layer of the one map (一图统揽): open jobs and units on the map,
 * the counters strip, the jobs and units lists, the details panel, and the
 * live stream that keeps them current.
 *
 * How the state is kept: the websocket is opened first; its `hello` (or a
 * `reload`) makes the board read a snapshot from the REST API (units, open
 * incidents, active assignments). Stream messages that arrive meanwhile are
 * held and applied, in order, on top of the snapshot, so nothing committed
 * between the snapshot and the stream is lost (events carry whole states,
 * so applying one the snapshot already has changes nothing). After that each
 * event is applied as it comes. A job first seen in an event is drawn at once
 * from the event and its address and names fetched afterwards.
 *
 * `startLiveBoard` is called by map.js with the map and its layer registry.
 */

import { fetchAllPages, fetchJson } from "./api.js";
import { Details } from "./details.js";
import { IncidentsView, stageOf, urgencyOf } from "./incidents.js";
import { LiveConnection } from "./live.js";
import { clearSelection } from "./panel.js";
import { BUSY_UNIT_STATUSES, LiveStore, WAITING_STATUSES } from "./store.js";
import { UnitsView } from "./units.js";
import { format, word } from "./words.js";

// If the stream does not answer, the map is drawn from the API anyway.
const SNAPSHOT_FALLBACK_MS = 3000;
const SNAPSHOT_RETRY_MS = 5000;
const STATIC_REFRESH_MS = 30_000;
const DETAIL_FETCHES_AT_ONCE = 4;

function readLiveConfig() {
  const element = document.getElementById("live-config");
  return element ? JSON.parse(element.textContent) : null;
}

export function startLiveBoard({ map, registerLayer, setLayerCount, placeNames, reportError }) {
  const config = readLiveConfig();
  const jobsList = document.getElementById("jobs-list");
  const unitsList = document.getElementById("units-list");
  if (!config || !jobsList || !unitsList) return null;

  const store = new LiveStore();
  const teams = new Map(); // code -> name
  let loaded = false;
  let holding = true; // stream messages wait until the snapshot is in
  let held = [];
  let loading = null;
  let loadAgain = false;
  let helloSeen = false;
  let snapshotFailed = false;

  const teamName = (code) => (code ? teams.get(code) ?? code : "");
  const homeName = (unit) => {
    if (unit.home_post) return placeNames.get(`post:${unit.home_post}`) ?? unit.home_post;
    if (unit.home_station) return placeNames.get(`station:${unit.home_station}`) ?? unit.home_station;
    if (unit.home_governance_center) {
      return placeNames.get(`governanceCenter:${unit.home_governance_center}`) ?? unit.home_governance_center;
    }
    return "";
  };
  const mayDispatch = (incident) => (
    incident.tier === "street" ? config.dispatchStreet : config.dispatchPolice
  );

  const incidents = new IncidentsView({
    store,
    list: jobsList,
    rowTemplate: document.getElementById("lm-job-row"),
    onSelect: (id, from) => selectIncident(id, from),
  });
  const units = new UnitsView({
    store,
    list: unitsList,
    rowTemplate: document.getElementById("lm-unit-row"),
    teamName,
    homeName,
    onSelect: (id, from) => selectUnit(id, from),
  });
  const details = new Details({
    map,
    store,
    incidents,
    units,
    urls: { incidents: config.incidentBase, jobPage: config.jobPage },
    mayDispatch,
    teamName,
    homeName,
    selectIncident: (id, from) => selectIncident(id, from),
    selectUnit: (id, from) => selectUnit(id, from),
  });
  registerLayer("units", units.layer, "");
  registerLayer("incidents", incidents.layer, "");

  // --- Selection ------------------------------------------------------------------

  function bringIntoView(latlng) {
    if (latlng) map.panInside(latlng, { padding: [60, 60] });
  }

  function selectIncident(id, from) {
    if (!store.incidents.has(id)) return;
    details.showIncident(id);
    incidents.setSelected(id, { scroll: from !== "list" });
    showTab("jobs");
    if (from !== "map") bringIntoView(incidents.latLngOf(id));
  }

  function selectUnit(id, from) {
    if (!store.units.has(id)) return;
    details.showUnit(id);
    units.setSelected(id, { scroll: from !== "list" });
    showTab("units");
    if (from !== "map") bringIntoView(units.latLngOf(id));
  }

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !event.target.closest?.("input, select, textarea")) clearSelection();
  });

  // --- Tabs, filters, counters ------------------------------------------------------

  function showTab(name) {
    for (const tab of document.querySelectorAll("[data-tab]")) {
      const on = tab.dataset.tab === name;
      tab.setAttribute("aria-selected", String(on));
      tab.tabIndex = on ? 0 : -1;
    }
    for (const panel of document.querySelectorAll("[data-tab-panel]")) {
      panel.hidden = panel.dataset.tabPanel !== name;
    }
  }

  function setJobFilter(filter) {
    incidents.setFilter(filter);
    for (const chip of document.querySelectorAll("[data-job-filter]")) {
      chip.setAttribute("aria-pressed", String(chip.dataset.jobFilter === filter));
    }
  }

  function setUnitFilter(filter) {
    units.setFilter({ filter });
    for (const chip of document.querySelectorAll("[data-unit-filter]")) {
      chip.setAttribute("aria-pressed", String(chip.dataset.unitFilter === filter));
    }
  }

  for (const tab of document.querySelectorAll("[data-tab]")) {
    tab.addEventListener("click", () => showTab(tab.dataset.tab));
  }
  for (const chip of document.querySelectorAll("[data-job-filter]")) {
    chip.addEventListener("click", () => setJobFilter(chip.dataset.jobFilter));
  }
  for (const chip of document.querySelectorAll("[data-unit-filter]")) {
    chip.addEventListener("click", () => setUnitFilter(chip.dataset.unitFilter));
  }
  // A counter opens the list it counts.
  const COUNTER_TARGETS = {
    open: ["jobs", "all"], waiting: ["jobs", "waiting"], late: ["jobs", "late"],
    scene: ["jobs", "scene"], free: ["units", "available"], busy: ["units", "busy"],
  };
  for (const counter of document.querySelectorAll("[data-counter]")) {
    counter.addEventListener("click", () => {
      const [tab, filter] = COUNTER_TARGETS[counter.dataset.counter] ?? [];
      if (!tab) return;
      showTab(tab);
      if (tab === "jobs") setJobFilter(filter);
      else setUnitFilter(filter);
    });
  }
  document.getElementById("unit-search")?.addEventListener("input", (event) => {
    units.setFilter({ search: event.target.value });
  });
  const offDuty = document.querySelector('input[data-option="offDuty"]');
  offDuty?.addEventListener("change", () => {
    units.setFilter({ showOffDuty: offDuty.checked });
    updateCounters();
  });
  units.showOffDuty = Boolean(offDuty?.checked);

  function setText(selector, value) {
    for (const element of document.querySelectorAll(selector)) {
      const shown = String(value);
      if (element.textContent !== shown) element.textContent = shown;
    }
  }

  function updateCounters() {
    const count = { open: 0, waiting: 0, late: 0, scene: 0, out: 0, street: 0 };
    for (const incident of store.incidents.values()) {
      count.open += 1;
      if (WAITING_STATUSES.has(incident.status)) count.waiting += 1;
      if (incident.status === "on_scene") count.scene += 1;
      const stage = stageOf(incident);
      if (stage === "out") count.out += 1;
      if (stage === "street") count.street += 1;
      if (urgencyOf(incident) === "red") count.late += 1;
    }
    const unitCount = { free: 0, busy: 0, offDuty: 0 };
    for (const unit of store.units.values()) {
      if (unit.status === "available") unitCount.free += 1;
      else if (BUSY_UNIT_STATUSES.has(unit.status)) unitCount.busy += 1;
      else if (unit.status === "off_duty") unitCount.offDuty += 1;
    }
    if (!loaded) return;
    for (const [name, value] of Object.entries({ ...count, ...unitCount })) {
      setText(`[data-count="${name}"]`, value);
    }
    const onDuty = store.units.size - unitCount.offDuty;
    setText('[data-count="onDuty"]', onDuty);
    // "All" in the units list counts what it shows: off-duty units only when asked for.
    setText('[data-count="unitsShown"]', units.showOffDuty ? store.units.size : onDuty);
    for (const name of ["waiting", "late"]) {
      document.querySelector(`[data-counter="${name}"]`)?.classList.toggle("is-alert", count[name] > 0);
    }
    setLayerCount("incidents", String(count.open));
    setLayerCount("units", String(onDuty));
  }

  // --- Incident details for jobs first seen in an event -------------------------------

  const fetching = new Set();

  function enrich() {
    for (const id of store.undetailed()) {
      if (fetching.size >= DETAIL_FETCHES_AT_ONCE) return;
      if (fetching.has(id)) continue;
      fetching.add(id);
      fetchJson(`${config.incidentBase}${id}/`)
        .then((detail) => store.mergeDetail(detail))
        .catch(() => store.mergeDetail({ id })) // drawn from the event alone
        .finally(() => {
          fetching.delete(id);
          enrich();
        });
    }
  }

  store.subscribe((changes) => {
    incidents.sync(changes);
    units.sync(changes);
    details.update(changes);
    updateCounters();
    enrich();
  });

  // --- Snapshot and stream ----------------------------------------------------------

  async function loadReference() {
    const [teamList, categories] = await Promise.all([
      fetchAllPages(config.teams).catch(() => []),
      fetchAllPages(config.categories).catch(() => []),
    ]);
    for (const team of teamList) teams.set(team.code, team.name);
    for (const category of categories) store.categoryNames.set(category.code, category.name);
  }
  const reference = loadReference();

  function apply(message) {
    if (message.type === "event") store.applyEvent(message);
    else if (message.type === "positions") store.applyPositions(message.units);
  }

  /** Read the whole state again; stream messages are held meanwhile. */
  function resync() {
    if (loading) {
      loadAgain = true;
      return loading;
    }
    holding = true;
    loading = (async () => {
      try {
        const [unitList, incidentList, assignments] = await Promise.all([
          fetchAllPages(config.units),
          fetchAllPages(config.incidents),
          fetchAllPages(config.assignments),
          reference,
        ]);
        store.replace({ units: unitList, incidents: incidentList, assignments });
        loaded = true;
        document.getElementById("console")?.classList.add("is-live-loaded");
      } catch (error) {
        // Said once; the retries go on quietly until one succeeds.
        if (!snapshotFailed) reportError("incidents", error);
        snapshotFailed = true;
        setTimeout(resync, SNAPSHOT_RETRY_MS);
      } finally {
        const pending = held;
        held = [];
        holding = false;
        for (const message of pending) apply(message);
        loading = null;
        if (loadAgain) {
          loadAgain = false;
          resync();
        }
      }
    })();
    return loading;
  }

  function onMessage(message) {
    if (message.type === "hello") {
      // The first snapshot is read once the stream has a position, so
      // nothing falls between the two.
      if (!helloSeen) {
        helloSeen = true;
        resync();
      }
      return;
    }
    if (message.type === "reload") {
      helloSeen = true; // the server has a position: this snapshot is the one
      resync();
      return;
    }
    if (holding) held.push(message);
    else apply(message);
  }

  const indicator = document.getElementById("live-status");
  function onState(state, seconds) {
    if (!indicator) return;
    indicator.dataset.state = state;
    const label = word("connection", state, state);
    indicator.querySelector("[data-part='label']").textContent = format(label, { seconds });
    indicator.title = word("connection-hint", state, "");
  }

  if (config.stream) {
    const connection = new LiveConnection({
      path: config.stream,
      loginUrl: config.login,
      sessionUrl: config.session,
      onMessage,
      onState,
    });
    indicator?.addEventListener("click", () => connection.reconnectNow());
    connection.start();
    setTimeout(() => {
      if (!loaded && !loading) resync();
    }, SNAPSHOT_FALLBACK_MS);
  } else {
    // No live group for this scope: read the state now and every 30 s.
    onState("static");
    resync();
    setInterval(resync, STATIC_REFRESH_MS);
  }

  // --- Clocks -----------------------------------------------------------------------

  setInterval(() => {
    incidents.tick();
    details.tick();
    updateCounters();
  }, 1000);

  return {
    /** Names of places arrived (map.js loads them): refresh the rows that show them. */
    refreshNames() {
      store.touchAll();
    },
  };
}
