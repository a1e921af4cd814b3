/**
 * 走失人员 on the one map: each open case's search area, a circle around the
 * latest sighting (or the last-seen point) that grows at a walking pace, with
 * a marker that opens the case. Kept from the map's stream: any `missing.*`
 * event reads the (short) list of open cases again; the circles grow every
 * minute between events. The page's `map-config` has `missing`: `cases` (the
 * API list), `casePage` (a case's page, 0 for its id) and the growth settings.
 */

import { fetchAllPages, withQuery } from "../shared/api.js";
import { text } from "./words.js";

const L = window.L;
const GROW_EVERY_MS = 60_000;
const STYLE = {
  area: { color: "#d97706", weight: 2, dashArray: "6 4", fillColor: "#f59e0b", fillOpacity: 0.12 },
  point: { radius: 7, color: "#ffffff", weight: 2, fillColor: "#d97706", fillOpacity: 1 },
};

function radiusNow(area, config, now = Date.now()) {
  const hours = Math.max(0, now - Date.parse(area.since)) / 3_600_000;
  return Math.min(config.startM + hours * config.walkKmh * 1000, config.maxM);
}

export class MissingLayer {
  static fromPage({ config, ...options }) {
    if (!config?.cases) return null;
    return new MissingLayer({ config, ...options });
  }

  constructor({ map, config, board, registerLayer, setLayerCount, reportError }) {
    this.map = map;
    this.config = config;
    this.setLayerCount = setLayerCount;
    this.reportError = reportError;
    this.layer = L.layerGroup();
    this.cases = [];
    this.drawn = [];
    this.timer = null;
    this.failed = false;
    registerLayer("missing", this.layer, "");
    if (board) board.follow(this);
    else this.startWithoutStream(30_000);
    setInterval(() => this.grow(), GROW_EVERY_MS);
  }

  // The follower interface of board.js (as LiveSync's).
  startWithStream() {
    this.read();
  }

  startWithoutStream(intervalMs) {
    this.read();
    setInterval(() => this.read(), intervalMs);
  }

  receive(message) {
    if (message.type === "reload" || (message.type === "event" && message.kind?.startsWith("missing."))) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.read(), 200);
    }
  }

  async read() {
    try {
      this.cases = await fetchAllPages(withQuery(this.config.cases, { status: "searching", page_size: 100 }));
      this.draw();
    } catch (error) {
      if (!this.failed) this.reportError("missing", error);
      this.failed = true;
    }
  }

  draw() {
    this.layer.clearLayers();
    this.drawn = [];
    for (const item of this.cases) {
      const area = item.search_area;
      const circle = L.circle([area.lat, area.lng], { ...STYLE.area, radius: radiusNow(area, this.config) });
      const marker = L.circleMarker([area.lat, area.lng], STYLE.point);
      const label = [text.textMissing || "Missing", item.name, item.age != null ? String(item.age) : "", item.condition_display]
        .filter(Boolean).join(" · ");
      marker.bindTooltip(label);
      const link = document.createElement("a");
      link.textContent = `${item.number} ${item.name}`;
      link.href = this.config.casePage ? this.config.casePage.replace("/0/", `/${item.id}/`) : "#";
      const body = document.createElement("div");
      body.className = "missing-popup";
      const place = document.createElement("p");
      place.textContent = `${item.last_seen_place}${area.from_sighting ? ` → ${item.sightings[0]?.place ?? ""}` : ""}`;
      const description = document.createElement("p");
      description.textContent = item.description;
      body.append(link, place, description);
      marker.bindPopup(body);
      this.layer.addLayer(circle).addLayer(marker);
      marker.getElement?.()?.setAttribute("data-missing-id", String(item.id));
      this.drawn.push({ circle, area });
    }
    this.setLayerCount("missing", String(this.cases.length));
    document.getElementById("console")?.classList.add("is-missing-loaded");
  }

  grow() {
    for (const { circle, area } of this.drawn) circle.setRadius(radiusNow(area, this.config));
  }
}
