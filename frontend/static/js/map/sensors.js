/**
 * Sensors of the smart-secure sites on the one map: small canvas shapes, the
 * shape telling the type (camera, gate, intrusion detector, smoke or gas
 * detector, anything else) and the colour the status (online, offline,
 * fault). Thousands fit: they are drawn on the map's canvas, never as DOM.
 *
 * How many are drawn depends on the zoom (`tierAt`): none over the whole
 * district (the layer list counts them; sites and alarms say more there);
 * from SENSORS_ZOOM the sensors that are not online (what a command center
 * looks for, and a handful); from DETAIL_ZOOM every sensor of the sites in
 * view, whose lists are read then (`needSites`).
 *
 * Each marker carries its sensor's id (`sensorId`) and calls
 * `onSelect(id)` when clicked.
 */

import { ONLINE } from "./community-store.js";
import { positionOf } from "./marker-list.js";
import { ShapeMarker } from "./shape-marker.js";

const L = window.L;

export const SENSORS_ZOOM = 14;
export const DETAIL_ZOOM = 16;

/** "none", "down" (only those not online) or "all": which sensors are drawn at `zoom`. */
export function tierAt(zoom) {
  if (zoom >= DETAIL_ZOOM) return "all";
  return zoom >= SENSORS_ZOOM ? "down" : "none";
}

// The legend draws the same shapes (live-map.css, .legend-sensor[data-shape]).
export const TYPE_SHAPES = {
  camera: "circle",
  access_gate: "square",
  intrusion: "triangle",
  smoke: "diamond",
  gas: "diamond",
};
const OTHER_SHAPE = "pentagon";

// --sensor-* in live-map.css: canvas shapes cannot read CSS.
export const STATUS_COLOURS = {
  online: { fill: "#22c55e", line: "#ffffff" },
  offline: { fill: "#ffffff", line: "#475569" },
  fault: { fill: "#f97316", line: "#7c2d12" },
};

function radiusAt(zoom) {
  if (zoom >= 18) return 6;
  if (zoom >= 17) return 5;
  if (zoom >= DETAIL_ZOOM) return 4.5;
  return 3.5;
}

export class SensorsView {
  /**
   * @param {object} options
   * @param {L.Map} options.map
   * @param {import("./community-store.js").CommunityStore} options.store
   * @param {(id: number) => void} options.onSelect
   * @param {(siteIds: number[]) => void} options.needSites sites in view whose sensors are not all known
   * @param {(bounds: L.LatLngBounds) => number[]} options.sitesWithin
   * @param {() => void} options.restack the map's vector layers back in their order
   */
  constructor({ map, store, onSelect, needSites, sitesWithin, restack }) {
    this.map = map;
    this.store = store;
    this.onSelect = onSelect;
    this.needSites = needSites;
    this.sitesWithin = sitesWithin;
    this.restack = restack;
    // Online sensors (drawn only zoomed in) below the others (always drawn).
    this.quiet = L.featureGroup();
    this.loud = L.featureGroup();
    this.layer = L.featureGroup();
    // The map's restack brings each layer to the front in turn: the sensors
    // that need a look must end up above the online ones, whatever the groups' order.
    this.layer.bringToFront = () => {
      if (this.layer.hasLayer(this.quiet)) this.quiet.bringToFront();
      if (this.layer.hasLayer(this.loud)) this.loud.bringToFront();
      return this.layer;
    };
    this.markers = new Map(); // sensor id -> marker
    this.selected = null;
    this.radius = radiusAt(map.getZoom());
    map.on("zoomend", () => this.zoomed());
    map.on("moveend", () => this.requestSites());
    this.layer.on("add", () => {
      this.zoomed();
    });
  }

  get tier() {
    return tierAt(this.map.getZoom());
  }

  sync(changes) {
    const ids = changes.all ? [...this.store.sensors.keys()] : changes.sensors;
    if (changes.all) {
      for (const [id, marker] of this.markers) {
        if (!this.store.sensors.has(id)) this.drop(id, marker);
      }
    }
    let added = false;
    for (const id of ids) {
      const sensor = this.store.sensors.get(id);
      if (sensor) added = this.upsert(sensor) || added;
      else this.drop(id, this.markers.get(id));
    }
    // A new marker is drawn on top of everything: stations and posts go back above.
    if (added && this.map.hasLayer(this.layer)) this.restack();
    if (changes.all) this.requestSites();
  }

  /** Draw or redraw one sensor; true when its marker is new on the map. */
  upsert(sensor) {
    const position = positionOf(sensor);
    if (!position) return false;
    let marker = this.markers.get(sensor.id);
    if (!marker) {
      marker = new ShapeMarker(position, {
        radius: this.radius, weight: 1.25, opacity: 1, fillOpacity: 1, bubblingMouseEvents: false,
      });
      marker.sensorId = sensor.id;
      marker.on("click", () => this.onSelect(sensor.id));
      this.markers.set(sensor.id, marker);
    } else {
      marker.setLatLng(position);
    }
    this.paint(marker, sensor);
    const group = sensor.status === ONLINE ? this.quiet : this.loud;
    const other = group === this.quiet ? this.loud : this.quiet;
    if (other.hasLayer(marker)) other.removeLayer(marker);
    if (group.hasLayer(marker)) return false;
    group.addLayer(marker);
    return this.layer.hasLayer(group);
  }

  drop(id, marker) {
    if (!marker) return;
    this.quiet.removeLayer(marker);
    this.loud.removeLayer(marker);
    this.markers.delete(id);
  }

  paint(marker, sensor) {
    const colours = STATUS_COLOURS[sensor.status] ?? STATUS_COLOURS.offline;
    marker.options.shape = TYPE_SHAPES[sensor.sensor_type] ?? OTHER_SHAPE;
    const selected = this.selected === sensor.id;
    marker.setStyle({
      color: selected ? "#0f172a" : colours.line,
      fillColor: colours.fill,
      weight: selected ? 2.5 : 1.25,
    });
  }

  setSelected(id) {
    const previous = this.selected;
    this.selected = id;
    for (const sensorId of [previous, id]) {
      const marker = this.markers.get(sensorId);
      const sensor = this.store.sensors.get(sensorId);
      if (marker && sensor) this.paint(marker, sensor);
    }
  }

  latLngOf(id) {
    return this.markers.get(id)?.getLatLng() ?? null;
  }

  // --- Zoom ------------------------------------------------------------------------

  zoomed() {
    const radius = radiusAt(this.map.getZoom());
    if (radius !== this.radius) {
      this.radius = radius;
      for (const marker of this.markers.values()) marker.setRadius(radius);
    }
    const tier = this.tier;
    const show = { loud: tier !== "none", quiet: tier === "all" };
    let added = false;
    for (const name of ["loud", "quiet"]) {
      const group = this[name];
      if (show[name] && !this.layer.hasLayer(group)) {
        this.layer.addLayer(group);
        added = true;
      } else if (!show[name] && this.layer.hasLayer(group)) {
        this.layer.removeLayer(group);
      }
    }
    if (added && this.map.hasLayer(this.layer)) this.restack();
    this.requestSites();
  }

  /** Zoomed in with the layer on: ask for the sites in view whose sensors are not all known. */
  requestSites() {
    if (this.tier !== "all" || !this.map.hasLayer(this.layer)) return;
    const view = this.map.getBounds().pad(0.25);
    const missing = this.sitesWithin(view).filter((id) => !this.store.loadedSites.has(id));
    if (missing.length) this.needSites(missing);
  }
}
