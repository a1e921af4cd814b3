/**
 * A small district map to set the point of a call by clicking it: the
 * district outline and patrol zones (read from the REST API with the session
 * cookie), one marker for the chosen point, and the zone the click fell in.
 *
 * No tile layer unless the page configures a local tile server: the consoles
 * run on a closed network. Needs Leaflet loaded first (global `L`).
 */

import { fetchAllPages, fetchJson } from "../shared/api.js";

const L = window.L;

const STYLE = {
  district: { color: "#1e293b", weight: 3, opacity: 0.9, fill: false, interactive: false },
  zone: { color: "#64748b", weight: 1, opacity: 0.7, fillColor: "#cbd5e1", fillOpacity: 0.25 },
  zoneHover: { fillColor: "#93c5fd", fillOpacity: 0.4 },
  point: { radius: 8, color: "#ffffff", weight: 2, fillColor: "#dc2626", fillOpacity: 1 },
};

/**
 * Draw the map in `container`; `onPick({lat, lng, zone})` is called on every
 * click, `zone` being the clicked zone's properties or null outside them.
 * Returns `{ setPoint(lat, lng), clear() }` to follow typed coordinates.
 */
export function createPickMap(container, config, { onPick, onError }) {
  const map = L.map(container, {
    preferCanvas: true,
    zoomSnap: config.tileUrl ? 1 : 0.25,
    attributionControl: Boolean(config.tileUrl),
    keyboard: false, // keys belong to the form next to it
  });
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { attribution: config.tileAttribution || "", maxZoom: 19 }).addTo(map);
  }
  map.setView([30.25, 120.17], 12);
  container.style.cursor = "crosshair";

  let marker = null;
  let clickedZone = null;
  // The zones a user may see frame the map best (a station chief sees only
  // the station's); the district outline frames it until they arrive.
  let framedByZones = false;
  let home = null; // the bounds the map was framed to

  function frame(bounds) {
    if (!bounds.isValid()) return false;
    home = bounds;
    map.fitBounds(bounds, { padding: [6, 6] });
    return true;
  }

  function setPoint(lat, lng) {
    if (!Number.isFinite(lat) || !Number.isFinite(lng)) return clear();
    if (marker) marker.setLatLng([lat, lng]);
    else marker = L.circleMarker([lat, lng], { ...STYLE.point, interactive: false }).addTo(map);
    // Half-typed coordinates land anywhere: follow only points of the area.
    const inArea = home?.pad(0.2).contains([lat, lng]);
    if (inArea && !map.getBounds().contains([lat, lng])) map.panTo([lat, lng]);
  }

  function clear() {
    if (marker) marker.remove();
    marker = null;
    if (home) map.fitBounds(home, { padding: [6, 6] });
  }

  map.on("click", (event) => {
    const { lat, lng } = event.latlng;
    setPoint(lat, lng);
    onPick({ lat, lng, zone: clickedZone });
    clickedZone = null;
  });

  const layers = config.layers ?? {};
  if (layers.district) {
    fetchJson(layers.district)
      .then((feature) => {
        const outline = L.geoJSON(feature, { style: STYLE.district, interactive: false }).addTo(map);
        if (!framedByZones) frame(outline.getBounds());
      })
      .catch(onError);
  }
  if (layers.zones) {
    fetchAllPages(layers.zones, "features")
      .then((features) => {
        const zones = L.geoJSON(features, {
          style: STYLE.zone,
          onEachFeature: (feature, layer) => {
            const label = document.createElement("span");
            label.textContent = feature.properties?.name ?? "";
            layer.bindTooltip(label, { sticky: true, direction: "top", offset: [0, -6] });
            // Fires before the map's click: remember which zone it was.
            layer.on("click", () => { clickedZone = feature.properties ?? null; });
            layer.on("mouseover", () => layer.setStyle(STYLE.zoneHover));
            layer.on("mouseout", () => layer.setStyle(STYLE.zone));
          },
        }).addTo(map);
        zones.bringToBack();
        framedByZones = frame(zones.getBounds());
      })
      .catch(onError);
  }
  return { setPoint, clear };
}
