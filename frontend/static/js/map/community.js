/**
 * The smart-secure sites' layers of the one map (issue 14): sites coloured by
 * 智安 grade, their sensors by type and status, and the active alarms
 * pulsing; each in the layer list with its count, each clickable for the
 * details panel, all kept live from the map's stream.
 *
 * The state is community-store.js; the three layers are sites.js,
 * sensors.js and alarms.js. This module wires them to the page: it reads the
 * snapshot (sites, the sensors that are not online, the active alarms), has
 * the live board hand it every stream message (LiveSync holds them while a
 * snapshot is read, as for jobs), reads the full sensor lists of the sites in
 * view when zoomed in, and fills the panels from the <template id="info-site">,
 * "info-sensor" and "info-alarm" elements.
 *
 * The page's `map-config` has `community`: `sites`, `sensors`, `alarms`
 * (the API lists) and `sitePage` (a site's page, with 0 for its id).
 */

import { fetchAllPages, withQuery } from "../shared/api.js";
import { formatTime } from "../shared/clock.js";
import { AlarmsView } from "./alarms.js";
import { CommunityStore } from "./community-store.js";
import { LiveSync } from "./live-sync.js";
import { fillFields, selectedKey, takePanel } from "./panel.js";
import { SensorsView, tierAt } from "./sensors.js";
import { SitesView } from "./sites.js";
import { text, word } from "./words.js";

const PAGE_SIZE = 500;
// Sites whose sensor lists are read at once when the map is zoomed in on many.
const SITE_READS_AT_ONCE = 4;

function clone(id) {
  return document.getElementById(id)?.content.cloneNode(true) ?? null;
}

function setText(selector, value) {
  for (const element of document.querySelectorAll(selector)) {
    if (element.textContent !== String(value)) element.textContent = String(value);
  }
}

function percent(part, whole) {
  return whole ? `${((100 * part) / whole).toFixed(1)}%` : "";
}

export class CommunityLayers {
  /** The layers of this page, or null when the page's map has no `community` config. */
  static fromPage(options) {
    const config = options.config;
    if (!config?.sites || !config?.sensors || !config?.alarms) return null;
    return new CommunityLayers(options);
  }

  /**
   * @param {object} options
   * @param {L.Map} options.map
   * @param {object} options.config the map config's `community`
   * @param {import("./board.js").LiveBoard|null} options.board the live layer, whose stream this follows
   * @param {(name, layer, count) => void} options.registerLayer
   * @param {(name, value) => void} options.setLayerCount
   * @param {() => void} options.restack vector layers back in their order
   * @param {(name, error) => void} options.reportError
   */
  constructor({ map, config, board, registerLayer, setLayerCount, restack, reportError }) {
    this.map = map;
    this.config = config;
    this.board = board;
    this.setLayerCount = setLayerCount;
    this.store = new CommunityStore();
    this.shown = null; // { kind: "site"|"sensor"|"alarm", id, body, last }
    this.reading = new Set(); // site ids whose sensors are being read
    this.waiting = []; // site ids to read

    this.sites = new SitesView({ map, store: this.store, onSelect: (id) => this.select("site", id) });
    this.sensors = new SensorsView({
      map,
      store: this.store,
      onSelect: (id) => this.select("sensor", id),
      needSites: (ids) => this.readSites(ids),
      sitesWithin: (bounds) => this.sites.sitesWithin(bounds),
      restack,
    });
    this.alarms = new AlarmsView({
      store: this.store,
      onSelect: (id) => this.select("alarm", id),
      describe: (alarm) => [this.alarmTypeName(alarm), alarm.site_name].filter(Boolean).join(" · "),
    });
    registerLayer("sites", this.sites.layer, "");
    registerLayer("sensors", this.sensors.layer, "");
    registerLayer("alarms", this.alarms.layer, "");

    let failed = false;
    this.sync = new LiveSync({
      store: this.store,
      readSnapshot: () => this.readSnapshot(),
      readDetail: async () => ({}),
      onLoaded: () => document.getElementById("console")?.classList.add("is-community-loaded"),
      onFirstFailure: (error) => {
        if (failed) return;
        failed = true;
        for (const name of ["sites", "sensors", "alarms"]) reportError(name, error);
      },
    });
    this.store.subscribe((changes) => this.changed(changes));
    if (board) board.follow(this.sync);
    else this.sync.startWithoutStream(30_000);
    map.on("zoomend", () => this.showZoomHint());
    this.showZoomHint();
  }

  // --- Reading -----------------------------------------------------------------------

  async readSnapshot() {
    const { config } = this;
    const [sites, sensors, alarms] = await Promise.all([
      fetchAllPages(withQuery(config.sites, { page_size: PAGE_SIZE })),
      // Those that need a look; the rest are online (community-store.js).
      fetchAllPages(withQuery(config.sensors, { status: ["offline", "fault"], page_size: PAGE_SIZE })),
      fetchAllPages(withQuery(config.alarms, { active: "true", page_size: PAGE_SIZE })),
    ]);
    return { sites, sensors, alarms };
  }

  /** Read every sensor of these sites (zoomed in on them), a few at a time. */
  readSites(ids) {
    for (const id of ids) {
      if (!this.reading.has(id) && !this.waiting.includes(id)) this.waiting.push(id);
    }
    while (this.reading.size < SITE_READS_AT_ONCE && this.waiting.length) {
      const id = this.waiting.shift();
      if (this.store.loadedSites.has(id)) continue;
      this.reading.add(id);
      const since = this.store.lastSeq;
      fetchAllPages(withQuery(this.config.sensors, { site: id, page_size: PAGE_SIZE }))
        .then((sensors) => this.store.siteSensorsMerge(id, sensors, since))
        .catch(() => {}) // read again when the map next moves over it
        .finally(() => {
          this.reading.delete(id);
          this.readSites([]);
        });
    }
  }

  // --- Keeping the page in step ---------------------------------------------------------

  changed(changes) {
    this.sites.sync(changes);
    this.sensors.sync(changes);
    this.alarms.sync(changes);
    this.updateCounts();
    this.refreshPanel(changes);
  }

  updateCounts() {
    const totals = this.store.totals();
    this.setLayerCount("sites", String(totals.sites));
    this.setLayerCount("sensors", String(totals.sensors));
    this.setLayerCount("alarms", String(totals.alarms));
    setText('[data-count="sensorsOffline"]', totals.offline);
    setText('[data-count="sensorsFault"]', totals.fault);
  }

  /** Below the zoom that draws every sensor, the layer list says to zoom in. */
  showZoomHint() {
    const tier = tierAt(this.map.getZoom());
    for (const hint of document.querySelectorAll("[data-sensors-hint]")) {
      hint.hidden = hint.dataset.sensorsHint !== tier;
    }
  }

  // --- Names -------------------------------------------------------------------------

  alarmTypeName(alarm) {
    return word("alarm-type", alarm.alarm_type, alarm.alarm_type_display);
  }

  siteName(id) {
    return this.store.sites.get(id)?.name ?? "";
  }

  // --- Selection and the panel -----------------------------------------------------------

  viewOf(kind) {
    return { site: this.sites, sensor: this.sensors, alarm: this.alarms }[kind];
  }

  itemOf(kind, id) {
    return { site: this.store.sites, sensor: this.store.sensors, alarm: this.store.alarms }[kind].get(id);
  }

  select(kind, id) {
    const item = this.itemOf(kind, id);
    if (!item) return;
    const key = `${kind}:${id}`;
    const body = takePanel(key, () => {
      this.viewOf(kind).setSelected(null);
      if (this.shown?.key === key) this.shown = null;
    });
    this.viewOf(kind).setSelected(id);
    this.shown = { kind, id, key, body, last: item };
    this.fill();
  }

  refreshPanel(changes) {
    const shown = this.shown;
    if (!shown || selectedKey() !== shown.key) return;
    const touched = changes.all
      || (shown.kind === "site" && changes.sites.has(shown.id))
      || (shown.kind === "sensor" && changes.sensors.has(shown.id))
      || (shown.kind === "alarm" && (changes.alarms.has(shown.id) || changes.removedAlarms.has(shown.id)));
    if (touched) this.fill();
  }

  /** (Re)fill the panel from the store: what is shown now, or its last state if it left. */
  fill() {
    const { kind, id, body } = this.shown;
    const item = this.itemOf(kind, id);
    if (item) this.shown.last = item;
    const fragment = clone(`info-${kind}`);
    if (!fragment || !body) return;
    const fill = { site: "fillSite", sensor: "fillSensor", alarm: "fillAlarm" }[kind];
    this[fill](fragment, this.shown.last, Boolean(item));
    body.replaceChildren(fragment);
  }

  fillSite(root, site) {
    const counts = this.store.siteCounts(site.id);
    fillFields(root, {
      name: site.name,
      kind: site.kind_display ?? site.kind,
      grade: site.grade_display ?? site.grade,
      address: site.address,
      station_name: site.station_name,
      street_name: site.street_name,
      sensors_online: counts.total
        ? `${counts.online} / ${counts.total} (${percent(counts.online, counts.total)})`
        : "0",
      sensors_down: counts.offline + counts.fault
        ? `${counts.offline} ${text.textSensorsOffline || "offline"} · ${counts.fault} ${text.textSensorsFault || "fault"}`
        : "",
      alarms_pending: counts.pending,
      contact: [site.contact_name, site.contact_phone].filter(Boolean).join(" "),
    });
    root.querySelector("[data-part='grade']")?.setAttribute("data-grade", String(site.grade ?? ""));
    const link = root.querySelector("[data-part='site-link']");
    if (link && this.config.sitePage) link.href = this.config.sitePage.replace(/\/0\/$/, `/${site.id}/`);
    else link?.closest("p")?.remove();
    const list = root.querySelector("[data-part='alarms']");
    const alarms = [...this.store.alarms.values()].filter((alarm) => alarm.site === site.id)
      .sort((a, b) => (a.priority ?? 9) - (b.priority ?? 9) || a.id - b.id);
    list?.closest("section")?.toggleAttribute("hidden", !alarms.length);
    for (const alarm of alarms) {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "chip-button";
      button.dataset.alarmId = String(alarm.id);
      const priority = document.createElement("span");
      priority.className = "live-prio";
      priority.dataset.priority = String(alarm.priority ?? "");
      priority.textContent = String(alarm.priority ?? "");
      button.append(priority, this.alarmTypeName(alarm) + (alarm.count > 1 ? ` ×${alarm.count}` : ""));
      button.addEventListener("click", () => this.select("alarm", alarm.id));
      item.append(button);
      list?.append(item);
    }
  }

  fillSensor(root, sensor) {
    fillFields(root, {
      title: sensor.name || sensor.device_id,
      device_id: sensor.device_id,
      type: word("sensor-type", sensor.sensor_type, sensor.sensor_type_display),
      status: word("sensor-status", sensor.status, sensor.status_display),
      status_since: formatTime(sensor.status_since),
      last_heartbeat: sensor.last_heartbeat_at ? formatTime(sensor.last_heartbeat_at) : text.textNever,
      vendor: sensor.vendor,
    });
    const badge = root.querySelector("[data-part='status']");
    if (badge) {
      badge.textContent = word("sensor-status", sensor.status, sensor.status);
      badge.dataset.sensorStatus = sensor.status;
    }
    this.fillSiteButton(root, sensor.site, sensor.site_name);
  }

  fillAlarm(root, alarm, active) {
    fillFields(root, {
      type: this.alarmTypeName(alarm),
      priority_label: word("priority", alarm.priority, alarm.priority),
      state: word("alarm-state", alarm.state, alarm.state_display ?? alarm.state),
      count: alarm.count,
      first_at: formatTime(alarm.first_at),
      device: alarm.device,
    });
    const priority = root.querySelector("[data-part='priority']");
    if (priority) {
      priority.textContent = alarm.priority ?? "";
      priority.dataset.priority = alarm.priority ?? "";
    }
    root.querySelector("[data-part='gone']")?.toggleAttribute("hidden", active);
    this.fillSiteButton(root, alarm.site, alarm.site_name);
    const job = root.querySelector("[data-part='job']");
    if (!job) return;
    job.closest("div").hidden = !alarm.incident_number;
    job.textContent = alarm.incident_number ?? "";
    const onMap = this.board?.store.incidents.has(alarm.incident);
    job.disabled = !onMap;
    if (onMap) job.addEventListener("click", () => this.board.selectIncident(alarm.incident, "panel"));
  }

  /** The panel's site row: a button that shows the site. */
  fillSiteButton(root, siteId, fallbackName) {
    const button = root.querySelector("[data-part='site']");
    if (!button) return;
    button.textContent = this.siteName(siteId) || fallbackName || "";
    button.closest("div").hidden = !button.textContent;
    if (this.store.sites.has(siteId)) {
      button.addEventListener("click", () => {
        this.select("site", siteId);
        const bounds = this.sites.boundsOf(siteId);
        if (bounds) this.map.panInside(bounds.getCenter(), { padding: [60, 60] });
      });
    } else {
      button.disabled = true;
    }
  }
}
