/**
 * The job panel's small map: the job's point, the units recommended for it
 * (numbered by their rank) and the units on it (coloured by their status),
 * each joined to the job by a dashed straight line labelled with its ETA.
 *
 * What it draws is the panel's own `<script id="job-map-data">`
 * (consoles/jobs.py `_job_map`), so every read of the panel (opened, acted
 * on, or read again from the live stream) draws it afresh. Between reads,
 * the units move with the stream's `positions` frames, which
 * live-console.js hands on as the document event `live:positions`.
 *
 * No tiles unless the page configures a tile server on the closed network:
 * the district outline (read once) is the only background. Needs Leaflet
 * loaded first (global `L`).
 */

import { fetchJson } from "../shared/api.js";

const L = window.L;

const DISTRICT_STYLE = { color: "#64748b", weight: 1.5, opacity: 0.8, fill: false, interactive: false };
const ROUTE_STYLE = { weight: 2, dashArray: "6 6", opacity: 0.85, interactive: false };
// Only the first few recommendations carry their ETA on the line: more would
// hide the map; the others show it on hover.
const LABELLED_RECOMMENDATIONS = 3;

let districtFeature = null; // the outline, read once per page
let districtReading = null;
let current = null; // { map, container, units: Map(unit id → {marker, line, label}), job }

function district(url) {
  if (districtFeature) return Promise.resolve(districtFeature);
  districtReading ??= fetchJson(url).then((feature) => {
    districtFeature = feature;
    return feature;
  });
  return districtReading;
}

function markerIcon(className, text) {
  const label = document.createElement("span");
  label.textContent = text;
  return L.divIcon({ className: `job-map-marker ${className}`, html: label, iconSize: null });
}

function route(from, to, className, text, permanent) {
  const line = L.polyline([from, to], { ...ROUTE_STYLE, className: `job-map-route ${className}` });
  if (text) {
    line.bindTooltip(text, {
      permanent,
      direction: "center",
      className: "job-map-eta",
      interactive: false,
    });
  }
  return line;
}

function destroy() {
  if (!current) return;
  current.map.remove();
  current = null;
}

function draw() {
  const container = document.getElementById("job-map");
  const source = document.getElementById("job-map-data");
  if (current && current.container === container) return; // this panel is drawn
  destroy();
  if (!container || !source || !L) return;
  let data;
  try {
    data = JSON.parse(source.textContent);
  } catch {
    return;
  }
  if (!data?.job) return;
  const words = container.dataset;
  const map = L.map(container, {
    zoomControl: true,
    attributionControl: Boolean(data.tileUrl),
    keyboard: false, // the keys belong to the panel
    scrollWheelZoom: false,
    zoomSnap: data.tileUrl ? 1 : 0.25,
  });
  if (data.tileUrl) {
    L.tileLayer(data.tileUrl, { attribution: data.tileAttribution || "", maxZoom: 19 }).addTo(map);
  }
  const job = L.latLng(data.job.lat, data.job.lng);
  // A view first: Leaflet puts layers on a map without one only later.
  map.setView(job, 15);
  const units = new Map();
  const points = [job];

  const addUnit = (unit, kind, className, tooltip, label, permanent) => {
    if (!Number.isFinite(unit.lat) || !Number.isFinite(unit.lng) || units.has(unit.unit)) return;
    const at = L.latLng(unit.lat, unit.lng);
    const line = route(at, job, kind, label, permanent).addTo(map);
    const marker = L.marker(at, { icon: markerIcon(`is-${kind} ${className}`, tooltip.short), keyboard: false })
      .bindTooltip(tooltip.long, { direction: "top" })
      .addTo(map);
    marker.getElement()?.setAttribute("data-unit", String(unit.unit));
    units.set(unit.unit, { marker, line });
    points.push(at);
  };

  for (const unit of data.assignments ?? []) {
    addUnit(unit, "assigned", `status-${unit.status}`,
      { short: unit.call_sign, long: `${unit.call_sign} · ${unit.status_label}${unit.eta ? ` · ${words.textEta} ${unit.eta}` : ""}` },
      unit.eta ? `${unit.call_sign} ${unit.eta}` : unit.call_sign, true);
  }
  for (const unit of data.recommendations ?? []) {
    addUnit(unit, "recommended", "",
      { short: `${unit.rank}`, long: `#${unit.rank} ${unit.call_sign} · ${words.textRecommended} · ${words.textEta} ${unit.eta}` },
      `${unit.call_sign} ${unit.eta}`, unit.rank <= LABELLED_RECOMMENDATIONS);
  }
  const jobMarker = L.marker(job, {
    icon: markerIcon(`is-job prio-${data.job.priority}`, `P${data.job.priority}`),
    keyboard: false,
    zIndexOffset: 1000,
  })
    .bindTooltip(`${words.textJob} ${data.job.number}`, { direction: "top" })
    .addTo(map);
  jobMarker.getElement()?.setAttribute("data-incident-id", String(data.job.id));

  const bounds = L.latLngBounds(points);
  const frame = () => {
    if (points.length > 1) map.fitBounds(bounds, { padding: [28, 28], maxZoom: 16 });
    else map.setView(job, 15);
  };
  frame();
  // The panel may still be settling its layout: frame again once it has.
  requestAnimationFrame(() => {
    if (current?.map !== map) return;
    map.invalidateSize();
    frame();
  });

  current = { map, container, units, job };
  container.dataset.drawn = String(units.size + 1);
  const layers = data.layers ?? {};
  if (layers.district) {
    district(layers.district)
      .then((feature) => {
        if (current?.map !== map) return;
        L.geoJSON(feature, { style: DISTRICT_STYLE, interactive: false }).addTo(map).bringToBack();
      })
      .catch(() => {}); // the outline is a background; the units are drawn anyway
  }
}

function move(positions) {
  if (!current || !Array.isArray(positions)) return;
  for (const fix of positions) {
    const unit = current.units.get(fix.id);
    if (!unit || !Number.isFinite(fix.lat) || !Number.isFinite(fix.lng)) continue;
    const at = L.latLng(fix.lat, fix.lng);
    unit.marker.setLatLng(at);
    unit.line.setLatLngs([at, current.job]);
  }
}

document.addEventListener("live:positions", (event) => move(event.detail));
document.body.addEventListener("htmx:afterSettle", draw);
draw();
