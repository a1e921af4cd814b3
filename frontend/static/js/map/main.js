/**
 * The one map's page (`/`): the district outline, patrol zones, sectors,
 * stations, posts and governance centers, read from the REST API with the
 * session cookie and drawn on one Leaflet map, with sidebar checkboxes to
 * toggle each layer and a panel that shows the clicked feature. On top of
 * them board.js draws the live layer: open jobs and units; and
 * community.js the smart-secure sites, their sensors and active alarms.
 * missing.js   the search areas of missing persons (走失人员).
 *
 * Every visible word comes from the page (data-text-* attributes on
 * #console, the layer labels and the <template id="info-KIND"> elements), so
 * the Django translation catalogue covers it; endpoints and the optional
 * tile server come from the JSON element #map-config.
 *
 * Needs Leaflet loaded before it as a classic script (global `L`).
 */

import { ApiError, fetchAllPages, fetchJson, setNetworkErrorText } from "../shared/api.js";
import { LiveBoard } from "./board.js";
import { CommunityLayers } from "./community.js";
import { MissingLayer } from "./missing.js";
import { clearSelection, fillTemplate, refreshDefault, setDefaultContent, takePanel } from "./panel.js";

const L = window.L;

// Vector layers share one canvas (preferCanvas), where the layer drawn last
// takes the click: keep markers above zones whatever order layers load or
// are toggled in. Bottom to top.
const STACK = [
  "zones", "sectors", "district", "sites", "sensors", "posts", "stations", "governanceCenters",
];

const STYLE = {
  district: { color: "#1e293b", weight: 4, opacity: 0.9, fill: false, interactive: false },
  zone: { color: "#64748b", weight: 1, opacity: 0.8, fillOpacity: 0.38 },
  sector: { weight: 4, opacity: 0.9, fill: false, interactive: false },
  // Places are drawn in quiet slate and brown: colour belongs to jobs and units.
  station: { radius: 7, color: "#ffffff", weight: 2, fillColor: "#334155", fillOpacity: 1 },
  post: { radius: 5, color: "#334155", weight: 2, fillColor: "#ffffff", fillOpacity: 1 },
  // Denser fill too: the outline may lie under the sector borders.
  selected: { color: "#0f172a", weight: 3, opacity: 1, fillOpacity: 0.7 },
};

// When no center is configured and the district fails to load: all of China.
const FALLBACK_VIEW = { center: [35, 105], zoom: 4 };

const layers = new Map();
const restoreStyles = new WeakMap();
const overview = {};
// Names of stations, posts and governance centers by "kind:code", for the live layer.
const placeNames = new Map();
let board = null;

// --- Reading the page ------------------------------------------------------------

function readConfig() {
  const element = document.getElementById("map-config");
  return element ? JSON.parse(element.textContent) : {};
}

const text = document.getElementById("console")?.dataset ?? {};

function checkboxFor(name) {
  return document.querySelector(`input[data-layer="${name}"]`);
}

function labelFor(name) {
  return checkboxFor(name)?.closest("label")?.textContent.trim() ?? name;
}

// --- Colours -----------------------------------------------------------------------

// Strong, well-separated colours for the few sectors of a bureau.
const SECTOR_PALETTE = [
  "#c0262d", "#1d4ed8", "#15803d", "#b45309", "#7e22ce",
  "#0e7490", "#be185d", "#4d7c0f", "#9a3412", "#334155",
];

function hashOf(code) {
  // FNV-1a: the same code always gets the same colour, on every console.
  let hash = 0x811c9dc5;
  for (const character of String(code ?? "")) {
    hash ^= character.codePointAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

function stationColour(code) {
  const hash = hashOf(code);
  // Hue and lightness from different bits, so near hues still differ.
  return `hsl(${hash % 360}, 55%, ${66 + ((hash >>> 9) % 4) * 4}%)`;
}

/** Sector code -> colour: palette order by code, so no two sectors share one. */
function sectorColours(codes) {
  const sorted = [...codes].sort();
  return new Map(sorted.map((code, index) => [code, SECTOR_PALETTE[index % SECTOR_PALETTE.length]]));
}

// --- The sidebar -------------------------------------------------------------------

function setCount(name, value) {
  const element = document.querySelector(`[data-layer-count="${name}"]`);
  if (element) element.textContent = value;
}

function reportError(name, error) {
  setCount(name, "—");
  checkboxFor(name)?.closest("li")?.classList.add("has-error");
  const item = document.createElement("li");
  const reason = error instanceof ApiError ? error.message : String(error);
  item.textContent = `${labelFor(name)}: ${text.textLoadError || "failed"} (${reason})`;
  document.getElementById("layer-errors")?.append(item);
  if (!(error instanceof ApiError)) console.error(error);
}

function updateOverview(values) {
  Object.assign(overview, values);
  refreshDefault();
}

// --- Selection ---------------------------------------------------------------------

function highlight(layer, on) {
  if (layer.setStyle) {
    if (on) {
      const { color, weight, opacity, fillOpacity } = layer.options;
      restoreStyles.set(layer, { color, weight, opacity, fillOpacity });
      layer.setStyle(STYLE.selected);
    } else if (restoreStyles.has(layer)) {
      layer.setStyle(restoreStyles.get(layer));
    }
  } else {
    layer.getElement?.()?.classList.toggle("is-selected", on);
  }
}

let featureKeys = 0;

function select(layer, kind, values) {
  // The panel belongs to one selection at a time: a job, a unit or this feature.
  layer.panelKey ??= `feature:${(featureKeys += 1)}`;
  const body = takePanel(layer.panelKey, () => highlight(layer, false));
  highlight(layer, true);
  const fragment = fillTemplate(kind, values);
  if (body && fragment) body.replaceChildren(fragment);
}

function bindFeature(layer, kind, values) {
  // Leaflet puts a string tooltip in as HTML; names come from data, so as text.
  const label = document.createElement("span");
  label.textContent = values.name || values.code || "";
  layer.bindTooltip(label, { sticky: kind === "zone" });
  layer.on("click", () => select(layer, kind, values));
}

// --- Layers ------------------------------------------------------------------------

function restack(map) {
  for (const name of STACK) {
    const layer = layers.get(name);
    if (layer && map.hasLayer(layer)) layer.bringToFront?.();
  }
}

function applyVisibility(map, name) {
  const layer = layers.get(name);
  if (!layer) return;
  if (checkboxFor(name)?.checked ?? true) map.addLayer(layer);
  else map.removeLayer(layer);
}

function register(map, name, layer, count) {
  layers.set(name, layer);
  setCount(name, String(count));
  applyVisibility(map, name);
  restack(map);
}

function drawDistrict(feature) {
  return L.geoJSON(feature, { style: STYLE.district, interactive: false });
}

function drawZones(features) {
  return L.geoJSON(features, {
    bubblingMouseEvents: false,
    style: (feature) => ({ ...STYLE.zone, fillColor: stationColour(feature.properties?.station) }),
    onEachFeature: (feature, layer) => {
      const values = { ...feature.properties };
      const areaKey = `textArea${String(values.area_class ?? "").replace(/^./, (c) => c.toUpperCase())}`;
      values.area_class = values.area_class_display || text[areaKey] || values.area_class;
      bindFeature(layer, "zone", values);
    },
  });
}

/** Zones grouped by sector, each drawn with its sector's thick border and no fill. */
function drawSectors(features) {
  const bySector = new Map();
  for (const feature of features) {
    const code = feature.properties?.sector ?? "";
    if (!bySector.has(code)) bySector.set(code, []);
    bySector.get(code).push(feature);
  }
  const colours = sectorColours(bySector.keys());
  const group = L.featureGroup();
  for (const [code, members] of bySector) {
    const style = { ...STYLE.sector, color: colours.get(code) };
    group.addLayer(L.geoJSON(members, { style, interactive: false }));
  }
  return { layer: group, count: bySector.size };
}

function hasPosition(item) {
  const isNumber = (value) => value !== null && value !== "" && Number.isFinite(Number(value));
  return isNumber(item.lat) && isNumber(item.lng);
}

function drawPoints(items, kind, makeMarker) {
  const group = L.featureGroup();
  for (const item of items.filter(hasPosition)) {
    const marker = makeMarker([Number(item.lat), Number(item.lng)], item.name);
    bindFeature(marker, kind, item);
    group.addLayer(marker);
  }
  return group;
}

const circle = (style) => (latlng) =>
  L.circleMarker(latlng, { ...style, bubblingMouseEvents: false });

// A keyboard-reachable marker needs a name a screen reader can say: the center's.
const governanceCenterMarker = (latlng, name) =>
  L.marker(latlng, {
    icon: L.divIcon({ className: "governance-center-marker", iconSize: [14, 14] }),
    riseOnHover: true,
    title: name ?? "",
    alt: name ?? "",
  });

// --- Loading -----------------------------------------------------------------------

// The zones a user may see frame the map best (a station chief sees only
// the station's); the district outline frames it until they arrive.
let framedByZones = false;

function frame(map, layer) {
  const bounds = layer.getBounds();
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [16, 16] });
  return bounds.isValid();
}

async function loadDistrict(map, url) {
  const feature = await fetchJson(url);
  const layer = drawDistrict(feature);
  register(map, "district", layer, 1);
  if (!framedByZones) frame(map, layer);
  updateOverview(feature?.properties ?? {});
}

async function loadZones(map, url) {
  const features = await fetchAllPages(url, "features");
  const zones = drawZones(features);
  const sectors = drawSectors(features);
  register(map, "zones", zones, features.length);
  register(map, "sectors", sectors.layer, sectors.count);
  updateOverview({ zone_count: features.length, sector_count: sectors.count });
  framedByZones = frame(map, zones);
}

async function loadPoints(map, name, url, kind, makeMarker, countKey) {
  const items = await fetchAllPages(url, "results");
  register(map, name, drawPoints(items, kind, makeMarker), items.length);
  updateOverview({ [countKey]: items.length });
  for (const item of items) placeNames.set(`${kind}:${item.code}`, item.name);
  board?.refreshNames();
}

function track(name, promise) {
  setCount(name, text.textLoading || "…");
  return promise.catch((error) => {
    reportError(name, error);
    throw error;
  });
}

function loadAll(map, urls) {
  const loads = [];
  if (urls.district) loads.push(track("district", loadDistrict(map, urls.district)));
  if (urls.zones) {
    setCount("sectors", text.textLoading || "…");
    const zones = loadZones(map, urls.zones).catch((error) => {
      reportError("sectors", error);
      throw error;
    });
    loads.push(track("zones", zones));
  }
  const points = [
    ["stations", "station", circle(STYLE.station), "station_count"],
    ["posts", "post", circle(STYLE.post), "post_count"],
    ["governanceCenters", "governanceCenter", governanceCenterMarker, "governance_center_count"],
  ];
  for (const [name, kind, makeMarker, countKey] of points) {
    if (urls[name]) loads.push(track(name, loadPoints(map, name, urls[name], kind, makeMarker, countKey)));
  }
  return Promise.allSettled(loads);
}

// --- The map -----------------------------------------------------------------------

function createMap(container, config) {
  const map = L.map(container, {
    preferCanvas: true,
    // Fractional zoom frames the district tightly; raster tiles would blur.
    zoomSnap: config.tileUrl ? 1 : 0.25,
    minZoom: 3,
    maxZoom: 19,
    attributionControl: Boolean(config.tileUrl),
  });
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { attribution: config.tileAttribution || "", maxZoom: 19 }).addTo(map);
    map.attributionControl.setPrefix(false);
  } else {
    // Closed network and no local tile server: a plain background.
    container.classList.add("map-no-tiles");
  }
  L.control.scale({ imperial: false }).addTo(map);
  const center = Array.isArray(config.center) ? config.center : FALLBACK_VIEW.center;
  map.setView(center, Number(config.zoom) || FALLBACK_VIEW.zoom);
  map.on("click", () => clearSelection());
  return map;
}

const LAYERS_OPEN_KEY = "tianshu.map.layersOpen";

/** The layers box stays open or folded as the user left it. */
function rememberLayersBox() {
  const box = document.getElementById("layers-details");
  if (!box) return;
  try {
    const stored = window.localStorage.getItem(LAYERS_OPEN_KEY);
    if (stored !== null) box.open = stored === "1";
    box.addEventListener("toggle", () => window.localStorage.setItem(LAYERS_OPEN_KEY, box.open ? "1" : "0"));
  } catch {
    /* storage disabled: it opens as the page says */
  }
}

function wireCheckboxes(map) {
  for (const box of document.querySelectorAll("input[data-layer]")) {
    box.addEventListener("change", () => {
      applyVisibility(map, box.dataset.layer);
      restack(map);
    });
  }
}

function start() {
  const container = document.getElementById("map");
  if (!container || !L) return;
  setNetworkErrorText(text.textNetworkError);
  const config = readConfig();
  const map = createMap(container, config);
  wireCheckboxes(map);
  rememberLayersBox();
  setDefaultContent(() => fillTemplate("district", overview));
  board = LiveBoard.fromPage({
    map,
    registerLayer: (name, layer, count) => register(map, name, layer, count),
    setLayerCount: setCount,
    placeNames,
    reportError,
  });
  CommunityLayers.fromPage({
    map,
    config: config.community,
    board,
    registerLayer: (name, layer, count) => register(map, name, layer, count),
    setLayerCount: setCount,
    restack: () => restack(map),
    reportError,
  });
  MissingLayer.fromPage({
    map,
    config: config.missing,
    board,
    registerLayer: (name, layer, count) => register(map, name, layer, count),
    setLayerCount: setCount,
    reportError,
  });
  loadAll(map, config.layers ?? {});
}

start();
