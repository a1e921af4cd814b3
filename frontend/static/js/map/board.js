/**
 * The live layer of the one map (一图统揽) on the page: open jobs and units on
 * the map, the counters strip, the jobs and units lists, the details panel
 * and the connection indicator, wired to the store.
 *
 * How the state is kept (snapshot, held messages, resync, details) is
 * live-sync.js; what an event or a snapshot changes is store.js. This class
 * only connects them to the page: it reads its endpoints from the
 * `live-config` JSON of the page, opens the stream, and redraws the views on
 * each change the store hands out.
 *
 * main.js creates it with the map and its layer registry.
 */

import { fetchAllPages, fetchJson, withQuery } from "../shared/api.js";
import { LiveConnection } from "../shared/live.js";
import {
  ACTIVE_ASSIGNMENT_STATUSES, AWAITING_DISPATCH, BUSY_UNIT_STATUSES, LIVE_STATUSES,
} from "../shared/vocabulary.js";
import { Details } from "./details.js";
import { IncidentsView, stageOf, urgencyOf } from "./incidents.js";
import { LiveSync } from "./live-sync.js";
import { clearSelection } from "./panel.js";
import { LiveStore } from "./store.js";
import { UnitsView } from "./units.js";
import { format, word } from "./words.js";

const PAGE_SIZE = 500;
// No live group for this scope: the state is read again this often.
const STATIC_REFRESH_MS = 30_000;
// The map's place in the stream; consoles keep their own.
const STORAGE_KEY = "tianshu.live.seq";

// A counter opens the list it counts: [tab, filter].
const COUNTER_TARGETS = {
  open: ["jobs", "all"], waiting: ["jobs", "waiting"], late: ["jobs", "late"],
  scene: ["jobs", "scene"], free: ["units", "available"], busy: ["units", "busy"],
};

/**
 * The page's `{{ live_config|json_script:"live-config" }}`: endpoints
 * `units`, `incidents`, `assignments`, `teams`, `categories`, `login`; the
 * `stream` path (null when the scope has no live group); `jobPage` (a job in
 * the console, with 0 for its id, or null); `dispatchPolice` and
 * `dispatchStreet` (which dispatch buttons to show; the server decides);
 * `orderForm` (the job's order form, with 0 for its id, or null).
 */
function readLiveConfig() {
  const element = document.getElementById("live-config");
  const config = element ? JSON.parse(element.textContent) : null;
  return config && typeof config === "object" ? config : null;
}

/** What the counters strip shows. */
function countsOf(store) {
  const count = { open: 0, waiting: 0, late: 0, scene: 0, out: 0, street: 0 };
  for (const incident of store.incidents.values()) {
    count.open += 1;
    if (AWAITING_DISPATCH.has(incident.status)) count.waiting += 1;
    if (incident.status === "on_scene") count.scene += 1;
    const stage = stageOf(incident);
    if (stage === "out") count.out += 1;
    if (stage === "street") count.street += 1;
    if (urgencyOf(incident) === "red") count.late += 1;
  }
  const units = { free: 0, busy: 0, offDuty: 0 };
  for (const unit of store.units.values()) {
    if (unit.status === "available") units.free += 1;
    else if (BUSY_UNIT_STATUSES.has(unit.status)) units.busy += 1;
    else if (unit.status === "off_duty") units.offDuty += 1;
  }
  return { ...count, ...units, onDuty: store.units.size - units.offDuty };
}

/** The connection indicator of the counters strip. */
function showConnection(state, seconds) {
  const indicator = document.getElementById("live-status");
  if (!indicator) return;
  indicator.dataset.state = state;
  const label = word("connection", state, state);
  indicator.querySelector("[data-part='label']").textContent = format(label, { seconds });
  indicator.title = word("connection-hint", state, "");
}

function setText(selector, value) {
  const shown = String(value);
  for (const element of document.querySelectorAll(selector)) {
    if (element.textContent !== shown) element.textContent = shown;
  }
}

export class LiveBoard {
  /** The board of this page, or null when the page has no live layer. */
  static fromPage(options) {
    const jobsList = document.getElementById("jobs-list");
    const unitsList = document.getElementById("units-list");
    if (!jobsList || !unitsList) return null;
    const config = readLiveConfig();
    if (!config) {
      // The view passed no live_config: the map stays without its live layer, and says so.
      console.error("live-config: the page has no live_config, so no live layer");
      showConnection("forbidden");
      return null;
    }
    return new LiveBoard({ ...options, config, jobsList, unitsList });
  }

  constructor({ map, config, jobsList, unitsList, registerLayer, setLayerCount, placeNames, reportError }) {
    this.map = map;
    this.config = config;
    this.setLayerCount = setLayerCount;
    this.placeNames = placeNames;
    this.store = new LiveStore();
    this.teams = new Map(); // code -> name
    const teamName = (code) => this.teamName(code);
    const homeName = (unit) => this.homeName(unit);

    this.incidents = new IncidentsView({
      store: this.store,
      list: jobsList,
      rowTemplate: document.getElementById("lm-job-row"),
      onSelect: (id, from) => this.selectIncident(id, from),
    });
    this.units = new UnitsView({
      store: this.store,
      list: unitsList,
      rowTemplate: document.getElementById("lm-unit-row"),
      teamName,
      homeName,
      onSelect: (id, from) => this.selectUnit(id, from),
    });
    this.details = new Details({
      map,
      store: this.store,
      incidents: this.incidents,
      units: this.units,
      urls: { incidents: config.incidents, jobPage: config.jobPage, orderForm: config.orderForm },
      mayDispatch: (incident) => (incident.tier === "street" ? config.dispatchStreet : config.dispatchPolice),
      teamName,
      homeName,
      selectIncident: (id, from) => this.selectIncident(id, from),
      selectUnit: (id, from) => this.selectUnit(id, from),
    });
    registerLayer("units", this.units.layer, "");
    registerLayer("incidents", this.incidents.layer, "");

    this.followers = []; // other states kept from this stream (follow)
    this.reference = this.readReference();
    this.sync = new LiveSync({
      store: this.store,
      readSnapshot: () => this.readSnapshot(),
      readDetail: (id) => fetchJson(`${config.incidents}${id}/`),
      onLoaded: () => document.getElementById("console")?.classList.add("is-live-loaded"),
      onFirstFailure: (error) => reportError("incidents", error),
    });
    this.store.subscribe((changes) => {
      this.incidents.sync(changes);
      this.units.sync(changes);
      this.details.update(changes);
      this.updateCounters();
      this.sync.enrich();
    });

    this.wireControls();
    this.startStream();
    setInterval(() => {
      this.incidents.tick();
      this.details.tick();
      this.updateCounters();
    }, 1000);
  }

  /** Names of places arrived (main.js loads them): refresh the rows that show them. */
  refreshNames() {
    this.store.touchAll();
  }

  // --- Reading -----------------------------------------------------------------------

  async readReference() {
    const [teams, categories] = await Promise.all([
      fetchAllPages(withQuery(this.config.teams, { page_size: PAGE_SIZE })).catch(() => []),
      fetchAllPages(this.config.categories).catch(() => []),
    ]);
    for (const team of teams) this.teams.set(team.code, team.name);
    for (const category of categories) this.store.categoryNames.set(category.code, category.name);
  }

  async readSnapshot() {
    const { config } = this;
    const [units, incidents, assignments] = await Promise.all([
      fetchAllPages(withQuery(config.units, { page_size: PAGE_SIZE })),
      fetchAllPages(withQuery(config.incidents, { status: [...LIVE_STATUSES], page_size: PAGE_SIZE })),
      fetchAllPages(withQuery(config.assignments, {
        status: [...ACTIVE_ASSIGNMENT_STATUSES], page_size: PAGE_SIZE,
      })),
      this.reference,
    ]);
    return { units, incidents, assignments };
  }

  startStream() {
    if (!this.config.stream) {
      showConnection("static");
      this.sync.startWithoutStream(STATIC_REFRESH_MS);
      return;
    }
    const connection = new LiveConnection({
      path: this.config.stream,
      loginUrl: this.config.login,
      sessionUrl: withQuery(this.config.units, { page_size: 1 }),
      storageKey: STORAGE_KEY,
      onMessage: (message) => {
        this.sync.receive(message);
        for (const follower of this.followers) follower.receive(message);
        // consoles/alerts.js hears of new jobs this way, as on the consoles.
        if (message.type === "event") {
          document.dispatchEvent(new CustomEvent("live:event", { detail: message }));
        }
      },
      onState: showConnection,
    });
    document.getElementById("live-status")?.addEventListener("click", () => connection.reconnectNow());
    connection.start();
    this.sync.startWithStream();
  }

  /**
   * Another state of the map kept from this board's stream (a LiveSync, e.g.
   * the smart-secure sites'): it gets every message, and reads its snapshot
   * when the stream says so, or every 30 s when the scope has no stream.
   */
  follow(sync) {
    this.followers.push(sync);
    if (this.config.stream) sync.startWithStream();
    else sync.startWithoutStream(STATIC_REFRESH_MS);
  }

  // --- Names -------------------------------------------------------------------------

  teamName(code) {
    return code ? this.teams.get(code) ?? code : "";
  }

  homeName(unit) {
    const place = (kind, code) => this.placeNames.get(`${kind}:${code}`) ?? code;
    if (unit.home_post) return place("post", unit.home_post);
    if (unit.home_station) return place("station", unit.home_station);
    if (unit.home_governance_center) return place("governanceCenter", unit.home_governance_center);
    return "";
  }

  // --- Selection ---------------------------------------------------------------------

  bringIntoView(latlng) {
    if (latlng) this.map.panInside(latlng, { padding: [60, 60] });
  }

  selectIncident(id, from) {
    if (!this.store.incidents.has(id)) return;
    this.details.showIncident(id);
    this.incidents.setSelected(id, { scroll: from !== "list" });
    this.showTab("jobs");
    if (from !== "map") this.bringIntoView(this.incidents.latLngOf(id));
  }

  selectUnit(id, from) {
    if (!this.store.units.has(id)) return;
    this.details.showUnit(id);
    this.units.setSelected(id, { scroll: from !== "list" });
    this.showTab("units");
    if (from !== "map") this.bringIntoView(this.units.latLngOf(id));
  }

  // --- Tabs, filters, counters -------------------------------------------------------

  wireControls() {
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !event.target.closest?.("input, select, textarea")) clearSelection();
    });
    for (const tab of document.querySelectorAll("[data-tab]")) {
      tab.addEventListener("click", () => this.showTab(tab.dataset.tab));
    }
    for (const chip of document.querySelectorAll("[data-job-filter]")) {
      chip.addEventListener("click", () => this.setJobFilter(chip.dataset.jobFilter));
    }
    for (const chip of document.querySelectorAll("[data-unit-filter]")) {
      chip.addEventListener("click", () => this.setUnitFilter(chip.dataset.unitFilter));
    }
    for (const counter of document.querySelectorAll("[data-counter]")) {
      counter.addEventListener("click", () => {
        const [tab, filter] = COUNTER_TARGETS[counter.dataset.counter] ?? [];
        if (!tab) return;
        this.showTab(tab);
        if (tab === "jobs") this.setJobFilter(filter);
        else this.setUnitFilter(filter);
      });
    }
    document.getElementById("unit-search")?.addEventListener("input", (event) => {
      this.units.setFilter({ search: event.target.value });
    });
    const offDuty = document.querySelector('input[data-option="offDuty"]');
    offDuty?.addEventListener("change", () => {
      this.units.setFilter({ showOffDuty: offDuty.checked });
      this.updateCounters();
    });
    this.units.showOffDuty = Boolean(offDuty?.checked);
  }

  showTab(name) {
    for (const tab of document.querySelectorAll("[data-tab]")) {
      const on = tab.dataset.tab === name;
      tab.setAttribute("aria-selected", String(on));
      tab.tabIndex = on ? 0 : -1;
    }
    for (const panel of document.querySelectorAll("[data-tab-panel]")) {
      panel.hidden = panel.dataset.tabPanel !== name;
    }
  }

  setJobFilter(filter) {
    this.incidents.setFilter(filter);
    for (const chip of document.querySelectorAll("[data-job-filter]")) {
      chip.setAttribute("aria-pressed", String(chip.dataset.jobFilter === filter));
    }
  }

  setUnitFilter(filter) {
    this.units.setFilter({ filter });
    for (const chip of document.querySelectorAll("[data-unit-filter]")) {
      chip.setAttribute("aria-pressed", String(chip.dataset.unitFilter === filter));
    }
  }

  updateCounters() {
    if (!this.sync.loaded) return;
    const count = countsOf(this.store);
    for (const name of ["open", "waiting", "late", "scene", "out", "street", "free", "busy", "offDuty", "onDuty"]) {
      setText(`[data-count="${name}"]`, count[name]);
    }
    // "All" in the units list counts what it shows: off-duty units only when asked for.
    setText('[data-count="unitsShown"]', this.units.showOffDuty ? this.store.units.size : count.onDuty);
    for (const name of ["waiting", "late"]) {
      document.querySelector(`[data-counter="${name}"]`)?.classList.toggle("is-alert", count[name] > 0);
    }
    this.setLayerCount("incidents", String(count.open));
    this.setLayerCount("units", String(count.onDuty));
  }
}
