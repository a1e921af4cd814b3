/**
 * The dashboard's job page (/dashboard/jobs/<id>/): the job's point and the GPS
 * track of each unit sent to it, from its dispatch until it cleared, over the
 * district's outline. What it draws is the page's `<script id="track-map-data">`
 * (consoles/dashboard.py dashboard_job). No tiles unless the page configures a
 * tile server on the closed network. Needs Leaflet loaded first (global `L`).
 */

import { fetchJson } from "../shared/api.js";

const L = window.L;
// The same colours as the table's swatches (css/dashboard.css, [data-track]).
export const TRACK_COLORS = ["#1d4ed8", "#c2410c", "#15803d", "#7c3aed", "#0e7490", "#be185d"];

function draw(container, config) {
  const map = L.map(container, { zoomControl: true, attributionControl: Boolean(config.tileUrl) });
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: 19 }).addTo(map);
  }
  const bounds = L.latLngBounds([]);
  const job = config.job;
  if (job && job.lat !== null && job.lng !== null) {
    L.circleMarker([job.lat, job.lng], {
      radius: 8,
      color: "#0f172a",
      weight: 2,
      fillColor: "#dc2626",
      fillOpacity: 0.9,
    })
      .bindTooltip(job.number, { permanent: true, direction: "top", offset: [0, -8] })
      .addTo(map);
    bounds.extend([job.lat, job.lng]);
  }
  (config.tracks ?? []).forEach((track, index) => {
    const color = TRACK_COLORS[index % TRACK_COLORS.length];
    if (!track.points.length) return;
    L.polyline(track.points, { color, weight: 3, opacity: 0.85 })
      .bindTooltip(`${track.call_sign} ${track.first ?? ""}–${track.last ?? ""}`)
      .addTo(map);
    const [start] = track.points;
    const end = track.points[track.points.length - 1];
    L.circleMarker(start, { radius: 4, color, fillColor: "#fff", fillOpacity: 1, weight: 2 }).addTo(map);
    L.circleMarker(end, { radius: 5, color, fillColor: color, fillOpacity: 1, weight: 1 })
      .bindTooltip(track.call_sign, { permanent: true, direction: "right", offset: [6, 0] })
      .addTo(map);
    for (const point of track.points) bounds.extend(point);
  });
  if (bounds.isValid()) {
    map.fitBounds(bounds.pad(0.25), { maxZoom: 16 });
  } else {
    map.setView([30.25, 120.17], 12);
  }
  if (config.layers?.district) {
    fetchJson(config.layers.district)
      .then((feature) => {
        L.geoJSON(feature, {
          style: { color: "#64748b", weight: 1.5, opacity: 0.8, fill: false },
          interactive: false,
        }).addTo(map);
        if (!bounds.isValid()) map.fitBounds(L.geoJSON(feature).getBounds());
      })
      .catch(() => {});
  }
  new ResizeObserver(() => map.invalidateSize()).observe(container);
  return map;
}

const container = document.getElementById("track-map");
const source = document.getElementById("track-map-data");
if (container && source && L) draw(container, JSON.parse(source.textContent));
