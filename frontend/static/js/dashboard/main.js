/**
 * 数据看板 (/dashboard/): the KPI cards, the compliance gauges, the arrival-time
 * distribution, the hour × weekday strip, the zones coloured by a KPI, the team
 * ranking with each score's items, the stations (command center) and the late
 * clocks, all from one answer of /api/v1/dashboard/ (the reports are the
 * server's panel, consoles/partials/report_panel.html, worked with htmx).
 *
 * The first answer is in the page (json_script "dashboard-data", the view's own
 * read); choosing a range preset, two dates or a station reads the API again
 * with the same query, and the query goes into the address (history.pushState)
 * so the choice can be bookmarked and Back returns to the one before. While the
 * range includes today (in Asia/Shanghai) the figures are read again every
 * minute, without reloading the page: each chart keeps its ECharts instance and
 * takes the new option (setOption); charts follow their container's size.
 *
 * ECharts is the vendored build (global `echarts`); the zones are drawn with
 * echarts.registerMap from the zones API's GeoJSON (no online map). The words
 * are the template's (<template id="dash-words">).
 */

import { ApiError, fetchJson, setNetworkErrorText, withQuery } from "../shared/api.js";
import {
  arrivalOption,
  gaugesOption,
  heatOption,
  rankingHeight,
  rankingOption,
  shortName,
  zonesOption,
} from "./charts.js";
import {
  ARROWS,
  duration,
  formatChange,
  formatValue,
  localDateTime,
  localTime,
  localToday,
  number,
  percent,
  rangeLabel,
  trend,
} from "./format.js";

const echarts = window.echarts;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const root = document.getElementById("dashboard");
const config = JSON.parse(document.getElementById("dashboard-config").textContent);
let data = JSON.parse(document.getElementById("dashboard-data").textContent);

// --- Words -------------------------------------------------------------------------

const dictionary = new Map();
for (const element of document.getElementById("dash-words")?.content.querySelectorAll("[data-word]") ?? []) {
  dictionary.set(element.dataset.word, element.textContent.trim());
}

function say(key, values = {}) {
  const sentence = dictionary.get(key) ?? key;
  return sentence.replace(/\{(\w+)\}/g, (whole, name) => (values[name] === undefined ? whole : String(values[name])));
}

const fill = (key, value) => say(key, { value });
const words = {
  empty: say("empty"),
  jobs: say("jobs"),
  calls: say("calls"),
  score: say("score"),
  vetoed: say("vetoed"),
  vetoedNote: say("vetoed-note"),
  target: (value) => say("target", { value }),
  p50: (value) => say("p50", { value }),
  p90: (value) => say("p90", { value }),
  weekday: (index) => say(`weekday:${index}`),
  hour: (hour) => say("hour", { hour }),
  rank: (rank) => say("rank", { rank }),
};
setNetworkErrorText(say("network-error"));

const part = (name) => root.querySelector(`[data-part="${name}"]`);

function element(tag, { className, text, attributes } = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [key, value] of Object.entries(attributes ?? {})) node.setAttribute(key, value);
  return node;
}

// --- The KPI dictionary ------------------------------------------------------------

let definitions = new Map();

function readDefinitions() {
  definitions = new Map((data.definitions ?? []).map((item) => [item.code, item]));
}

function definitionText(code) {
  const item = definitions.get(code);
  if (!item) return "";
  const lines = [item.name, item.formula];
  if (item.excluded) lines.push(item.excluded);
  return lines.join("\n");
}

const dialog = document.getElementById("definitions");

function showDefinitions(code) {
  if (!dialog) return;
  for (const row of dialog.querySelectorAll("tr.is-current")) row.classList.remove("is-current");
  if (typeof dialog.showModal === "function" && !dialog.open) dialog.showModal();
  const row = code ? dialog.querySelector(`tr[data-definition="${CSS.escape(code)}"]`) : null;
  if (row) {
    row.classList.add("is-current");
    row.scrollIntoView({ block: "center" });
  }
}

root.querySelector('[data-action="definitions"]')?.addEventListener("click", () => showDefinitions(null));

// --- What is chosen: range and station, kept in the address ------------------------

const state = {
  range: config.range,
  from: config.from,
  to: config.to,
  station: config.station || "",
  zoneKpi: "calls",
  team: null,
};

function query() {
  const params = state.range === "custom" ? { from: state.from, to: state.to } : { range: state.range };
  if (state.station) params.station = state.station;
  return params;
}

function pageUrl() {
  return withQuery(config.page, query());
}

function readAddress() {
  const params = new URLSearchParams(window.location.search);
  const preset = params.get("range");
  if (preset) {
    const link = root.querySelector(`a[data-range="${CSS.escape(preset)}"]`);
    state.range = preset;
    state.from = link?.dataset.from ?? state.from;
    state.to = link?.dataset.to ?? state.to;
  } else if (params.get("from") || params.get("to")) {
    state.range = "custom";
    state.from = params.get("from") || params.get("to");
    state.to = params.get("to") || state.from;
  } else {
    state.range = "today";
    state.from = state.to = localToday();
  }
  state.station = config.districtWide ? params.get("station") || "" : "";
}

function showChoice() {
  for (const chip of root.querySelectorAll("[data-range]")) {
    chip.setAttribute("aria-pressed", chip.dataset.range === state.range ? "true" : "false");
    if (chip.tagName === "A") {
      const params = { range: chip.dataset.range };
      if (state.station) params.station = state.station;
      chip.href = withQuery(config.page, params);
    }
  }
  const form = part("custom-form");
  if (form) {
    form.elements.from.value = state.from;
    form.elements.to.value = state.to;
    let hidden = part("custom-station");
    if (state.station && !hidden) {
      hidden = element("input", { attributes: { type: "hidden", name: "station", "data-part": "custom-station" } });
      form.append(hidden);
    }
    if (hidden) {
      hidden.value = state.station;
      hidden.disabled = !state.station;
    }
  }
  const select = root.querySelector("#dash-station");
  if (select) {
    select.value = state.station;
    part("scope-name").textContent = select.selectedOptions[0]?.textContent ?? "";
  }
  const stationForm = part("station-form");
  if (stationForm) {
    // Without the script the form keeps the range; with it, the script does.
    for (const input of stationForm.querySelectorAll('input[type="hidden"]')) input.remove();
  }
}

function choose(change) {
  Object.assign(state, change);
  showChoice();
  const url = pageUrl();
  if (url !== window.location.pathname + window.location.search) {
    window.history.pushState({ dashboard: true }, "", url);
  }
  load();
}

for (const link of root.querySelectorAll("a[data-range]")) {
  link.addEventListener("click", (event) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    choose({ range: link.dataset.range, from: link.dataset.from, to: link.dataset.to });
  });
}

part("custom-form")?.addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const from = form.elements.from.value.trim();
  const to = form.elements.to.value.trim() || from;
  if (!form.reportValidity() || !DAY.test(from) || !DAY.test(to)) return;
  // Two dates the wrong way round are read the right way round.
  const [first, last] = from <= to ? [from, to] : [to, from];
  choose({ range: "custom", from: first, to: last });
});

root.querySelector("#dash-station")?.addEventListener("change", (event) => {
  state.team = null;
  choose({ station: event.target.value });
});

window.addEventListener("popstate", () => {
  readAddress();
  showChoice();
  load();
});

// --- Charts: one instance each, resized with its container -------------------------

const charts = new Map();
const resizers = new Map();

function chart(name) {
  if (charts.has(name)) return charts.get(name);
  const container = root.querySelector(`[data-chart="${name}"]`);
  if (!container || !echarts) return null;
  const instance = echarts.init(container, null, { renderer: "canvas" });
  charts.set(name, instance);
  new ResizeObserver(() => {
    instance.resize();
    resizers.get(name)?.();
  }).observe(container);
  return instance;
}

function draw(name, option) {
  const instance = chart(name);
  if (instance) instance.setOption(option, { replaceMerge: ["series"] });
  return instance;
}

function empty(name, isEmpty) {
  const note = root.querySelector(`[data-empty="${name}"]`);
  if (note) note.hidden = !isEmpty;
}

// --- Cards -------------------------------------------------------------------------

const cardTemplate = document.getElementById("dash-card");

function cardSub(card) {
  const figure = card.figure ?? {};
  if (card.kind === "interval") {
    if (!figure.n) return "";
    const parts = [words.p50(duration(figure.p50))];
    if (figure.within_target !== null && figure.within_target !== undefined) {
      parts.push(fill("within", percent(figure.within_target)));
    }
    return parts.join(" · ");
  }
  if (card.kind === "rate" || card.kind === "satisfaction") {
    const parts = [];
    if (figure.denominator) parts.push(`${number(figure.numerator, card.kind === "satisfaction" ? 1 : 0)} / ${number(figure.denominator)}`);
    if (figure.target !== null && figure.target !== undefined) parts.push(words.target(percent(figure.target, 0)));
    return parts.join(" · ");
  }
  return "";
}

function renderCards() {
  const holder = part("cards");
  const cards = data.cards ?? [];
  const existing = new Map([...holder.children].map((node) => [node.dataset.code, node]));
  const kept = new Set();
  for (const card of cards) {
    let node = existing.get(card.code);
    if (!node) {
      node = cardTemplate.content.firstElementChild.cloneNode(true);
      node.dataset.code = card.code;
      node.querySelector('[data-slot="name"]').addEventListener("click", () => showDefinitions(card.code));
    }
    holder.append(node); // in the answer's order
    kept.add(card.code);
    const name = node.querySelector('[data-slot="name"]');
    name.textContent = shortName(card.name);
    name.title = `${definitionText(card.code)}\n${say("definition-hint")}`;
    node.dataset.kind = card.kind;
    const value = node.querySelector('[data-slot="value"]');
    value.textContent = formatValue(card.kind, card.value);
    if ((card.kind === "hours" || card.kind === "ratio") && card.value !== null && card.value !== undefined) {
      // The unit small beside the figure: "1.3 小时", "2.33 起/在岗小时".
      const unit = fill(card.kind === "hours" ? "hours" : "per-hour", "").trim();
      value.append(element("span", { className: "kpi-unit", text: unit }));
    }
    value.dataset.value = card.value === null || card.value === undefined ? "" : String(card.value);
    if (card.kind === "interval") value.prepend(element("span", { className: "kpi-tag", text: "p90" }));
    node.classList.toggle("is-empty", card.value === null || card.value === undefined);
    node.querySelector('[data-slot="sub"]').textContent = cardSub(card);
    const delta = node.querySelector('[data-slot="delta"]');
    const { direction, verdict } = trend(card.delta, card.higher_is_better);
    delta.dataset.trend = verdict;
    if (direction === "none") {
      delta.textContent = say("no-previous");
    } else if (direction === "flat") {
      delta.textContent = `${ARROWS.flat} ${say("flat")}`;
    } else {
      delta.textContent = `${ARROWS[direction]} ${formatChange(card.kind, card.delta, fill)}`;
    }
    delta.title = `${say("previous", { range: rangeLabel(data.previous.from, data.previous.to) })}: ${formatValue(card.kind, card.previous, fill)}`;
  }
  for (const [code, node] of existing) if (!kept.has(code)) node.remove();
}

// --- Panels ------------------------------------------------------------------------

function renderGauges() {
  const container = root.querySelector('[data-chart="gauges"]');
  const gauges = data.gauges ?? [];
  draw("gauges", gaugesOption(gauges, { width: container.clientWidth || 400, height: container.clientHeight || 220, words }));
  empty("gauges", gauges.length === 0);
}
resizers.set("gauges", () => renderGauges());

function renderArrival() {
  const histogram = data.arrival_histogram ?? {};
  if (histogram.name) part("arrival-title").textContent = shortName(histogram.name);
  draw("arrival", arrivalOption(histogram, { words }));
  empty("arrival", !(histogram.counts ?? []).some((count) => count > 0));
}

function renderHeat() {
  draw("heat", heatOption(data.heat ?? [], { words }));
  empty("heat", !(data.heat ?? []).some((cell) => cell.calls > 0));
}

// The zones' GeoJSON, read once per scope (the station chosen, else the user's own).
const zoneMaps = new Map();

function zonesQuery() {
  const params = { page_size: 2000, ...(config.zoneFilter ?? {}) };
  if (state.station) params.station = state.station;
  return params;
}

async function zoneMap() {
  const params = zonesQuery();
  const name = `tianshu-zones-${params.station ?? params.post ?? params.street ?? "all"}`;
  if (!zoneMaps.has(name)) {
    zoneMaps.set(
      name,
      fetchJson(withQuery(config.zones, params)).then((collection) => {
        const features = (collection?.features ?? []).filter((feature) => feature.geometry);
        if (features.length) echarts.registerMap(name, { type: "FeatureCollection", features });
        return { name, features };
      }),
    );
  }
  try {
    return await zoneMaps.get(name);
  } catch (error) {
    zoneMaps.delete(name);
    throw error;
  }
}

function fillZoneKpis() {
  const select = part("zone-kpi");
  const kpis = data.zones?.kpis ?? [];
  const wanted = kpis.some((kpi) => kpi.code === state.zoneKpi) ? state.zoneKpi : kpis[0]?.code;
  const current = [...select.options].map((option) => option.value).join(",");
  if (current !== kpis.map((kpi) => kpi.code).join(",")) {
    select.replaceChildren(...kpis.map((kpi) => element("option", { text: shortName(kpi.name), attributes: { value: kpi.code } })));
  }
  state.zoneKpi = wanted ?? "calls";
  select.value = state.zoneKpi;
}

part("zone-kpi")?.addEventListener("change", (event) => {
  state.zoneKpi = event.target.value;
  renderZones();
});

let zonesDrawn = 0;

async function renderZones() {
  fillZoneKpis();
  const drawing = ++zonesDrawn;
  let map;
  try {
    map = await zoneMap();
  } catch (error) {
    showError(error);
    return;
  }
  if (drawing !== zonesDrawn) return; // a later read is drawing
  const kpi = state.zoneKpi;
  const definition = definitions.get(kpi) ?? {};
  if (!map.features.length) {
    chart("zones")?.clear();
    empty("zones", true);
    return;
  }
  chart("zones")?.setOption(
    zonesOption(map.name, map.features, data.zones?.rows ?? [], kpi, {
      kind: definition.kind,
      higherIsBetter: definition.higher_is_better,
      words,
    }),
    { notMerge: true },
  );
  empty("zones", false);
}

// Ranking: the bars, and the items behind the chosen team's score.

function itemValue(item) {
  if (item.value === null || item.value === undefined) return "—";
  if (item.per_workload) return `${number(item.value, 3)} ${say("per-workload")}`;
  return formatValue(definitions.get(item.kpi)?.kind ?? "count", item.value, fill);
}

function itemThreshold(item) {
  if (item.threshold === null || item.threshold === undefined) return "—";
  const sign = item.comparison === "at_most" ? "≤" : "≥";
  const kind = item.per_workload ? "ratio" : definitions.get(item.kpi)?.kind ?? "count";
  const shown = kind === "ratio" ? number(item.threshold, 3) : formatValue(kind, item.threshold, fill);
  return `${sign} ${shown}`;
}

function renderRankingDetail() {
  const rows = data.ranking?.rows ?? [];
  const detail = part("ranking-detail");
  detail.hidden = rows.length === 0;
  if (!rows.length) return;
  const select = part("ranking-team");
  const codes = rows.map((row) => row.code).join(",");
  if ([...select.options].map((option) => option.value).join(",") !== codes) {
    select.replaceChildren(...rows.map((row) => element("option", { text: `${row.rank}. ${row.name}`, attributes: { value: row.code } })));
  }
  const row = rows.find((candidate) => candidate.code === state.team) ?? rows[0];
  state.team = row.code;
  select.value = row.code;
  const scored = row.items.filter((item) => item.tier !== "veto");
  const terms = scored.map((item) => number(item.earned, item.earned % 1 ? 2 : 0));
  const sum = Math.round(scored.reduce((total, item) => total + item.earned, 0) * 100) / 100;
  let formula = say("formula", { terms: terms.join(" + ") || "0", score: number(sum, sum % 1 ? 2 : 0) });
  if (row.vetoed) formula += ` → ${words.vetoedNote}`;
  formula += ` · ${words.rank(row.rank)}`;
  if (row.previous_rank) {
    const { direction } = trend(row.change, true);
    formula += ` · ${say("previous-rank", { rank: row.previous_rank, score: row.previous_score })}`;
    if (direction === "up" || direction === "down") formula += ` (${ARROWS[direction]} ${number(Math.abs(row.change), 2)})`;
  }
  part("ranking-formula").textContent = formula;
  part("ranking-items").replaceChildren(
    ...row.items.map((item) => {
      const tr = element("tr");
      const name = element("th", { attributes: { scope: "row" } });
      name.append(element("span", { className: `tier tier-${item.tier}`, text: say(`tier:${item.tier}`) }), " ", item.item);
      tr.append(name);
      tr.append(element("td", { className: "num", text: itemValue(item) }));
      tr.append(element("td", { className: "num", text: itemThreshold(item) }));
      const passed = String(item.passed);
      tr.append(element("td", { className: `passed passed-${passed}`, text: say(`passed:${passed}`) }));
      tr.append(element("td", { className: "num", text: item.tier === "veto" ? "—" : `${number(item.earned, item.earned % 1 ? 2 : 0)} / ${number(item.points, item.points % 1 ? 2 : 0)}` }));
      let before = item.previous_value === null || item.previous_value === undefined ? "—" : itemValue({ ...item, value: item.previous_value });
      const scored = item.previous_earned !== null && item.previous_earned !== undefined && item.tier !== "veto";
      if (scored) before += ` · ${number(item.previous_earned, item.previous_earned % 1 ? 2 : 0)}`;
      const cell = element("td", { className: "num", text: before });
      if (scored) {
        const change = item.earned - item.previous_earned;
        const { direction, verdict } = trend(change, true);
        const mark = element("span", { className: "item-change", attributes: { "data-trend": verdict } });
        mark.textContent = direction === "up" || direction === "down" ? ` ${ARROWS[direction]}${number(Math.abs(change), 1)}` : "";
        cell.append(mark);
      }
      tr.append(cell);
      return tr;
    }),
  );
}

part("ranking-team")?.addEventListener("change", (event) => {
  state.team = event.target.value;
  renderRankingDetail();
});

function renderRanking() {
  const panel = part("ranking-panel");
  const ranking = data.ranking;
  panel.hidden = !ranking; // a street office has no teams ranked
  if (!ranking) return;
  part("scheme").textContent = ranking.scheme?.name ?? "";
  const rows = ranking.rows ?? [];
  const container = root.querySelector('[data-chart="ranking"]');
  container.style.height = `${rankingHeight(rows)}px`;
  const instance = draw("ranking", rankingOption(rows, { words }));
  instance?.resize();
  if (instance && !instance.dashboardClick) {
    instance.dashboardClick = true;
    instance.on("click", (event) => {
      if (event.data?.code) {
        state.team = event.data.code;
        renderRankingDetail();
      }
    });
  }
  empty("ranking", rows.length === 0);
  renderRankingDetail();
}

function renderStations() {
  const body = part("stations");
  if (!body) return;
  const codes = (data.cards ?? []).map((card) => card.code);
  part("stations-head").replaceChildren(
    element("th", { text: say("station"), attributes: { scope: "col" } }),
    ...codes.map((code) => {
      const th = element("th", { className: "num", text: shortName(definitions.get(code)?.name ?? code), attributes: { scope: "col", title: definitionText(code) } });
      return th;
    }),
  );
  const rows = data.stations ?? [];
  if (!rows.length) {
    const td = element("td", { text: say(state.station ? "none" : "no-stations"), attributes: { colspan: String(codes.length + 1) } });
    const tr = element("tr", { className: "empty-row" });
    tr.append(td);
    body.replaceChildren(tr);
    part("stations-panel").hidden = Boolean(state.station);
    return;
  }
  part("stations-panel").hidden = false;
  body.replaceChildren(
    ...rows.map((row) => {
      const tr = element("tr");
      const name = element("th", { attributes: { scope: "row" } });
      const link = element("a", { text: row.station_name, attributes: { href: withQuery(config.page, { ...query(), station: row.station }) } });
      link.addEventListener("click", (event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey) return;
        event.preventDefault();
        state.team = null;
        choose({ station: row.station });
      });
      name.append(link);
      tr.append(name);
      for (const code of codes) {
        const kind = definitions.get(code)?.kind ?? "count";
        // The units are the column's (the card's): the cells are numbers.
        tr.append(element("td", { className: "num", text: formatValue(kind, row[code]) }));
      }
      return tr;
    }),
  );
}

function jobLink(incident) {
  return config.jobPage.replace(/\/0\/$/, `/${incident}/`);
}

function renderBreaches() {
  const rows = data.breaches ?? [];
  part("breach-count").textContent = String(rows.length);
  const body = part("breaches");
  if (!rows.length) {
    const tr = element("tr", { className: "empty-row" });
    tr.append(element("td", { text: say("no-breaches"), attributes: { colspan: config.districtWide ? "7" : "6" } }));
    body.replaceChildren(tr);
    return;
  }
  body.replaceChildren(
    ...rows.map((row) => {
      const tr = element("tr", { className: `breach-${row.state}` });
      const number_ = element("td", { className: "col-number" });
      number_.append(element("a", { text: row.number, attributes: { href: jobLink(row.incident) } }));
      tr.append(number_);
      tr.append(element("td", { text: row.clock_name }));
      tr.append(element("td", { className: `clock-state clock-state-${row.state}`, text: row.state_name }));
      tr.append(element("td", { text: localDateTime(row.due_at) }));
      tr.append(element("td", { className: "num", text: duration(row.late_s) }));
      tr.append(element("td", { text: row.delay_reason || say("none") }));
      if (config.districtWide) tr.append(element("td", { text: row.station_name || say("none") }));
      return tr;
    }),
  );
}

const SENSOR_FIGURES = ["sensor_online_rate", "alarms", "alarms_per_site", "false_alarm_rate", "alarm_job_rate"];

/** 智安: the sensors' online rate and the alarms' figures, and the sites with the most alarms. */
function renderSensors() {
  const figures = data.sensors?.figures ?? {};
  const list = part("sensor-figures");
  if (list) {
    list.replaceChildren(
      ...SENSOR_FIGURES.map((code) => {
        const definition = definitions.get(code);
        const kind = definition?.kind ?? "count";
        const box = element("div", { className: "dash-figure", attributes: { "data-kpi": code } });
        box.append(element("dt", { text: definition?.name ?? code }));
        box.append(element("dd", { text: formatValue(kind, figures[code]?.value, fill) }));
        return box;
      }),
    );
  }
  const body = part("sensor-sites");
  if (!body) return;
  const rows = data.sensors?.sites ?? [];
  if (!rows.length) {
    const tr = element("tr", { className: "empty-row" });
    tr.append(element("td", { text: say("no-alarms"), attributes: { colspan: "5" } }));
    body.replaceChildren(tr);
    return;
  }
  body.replaceChildren(
    ...rows.map((row) => {
      const tr = element("tr");
      const name = element("td");
      name.append(element("a", { text: row.name, attributes: { href: `${config.sitesUrl}${row.site}/` } }));
      tr.append(name);
      tr.append(element("td", { className: "num", text: String(row.alarms) }));
      tr.append(element("td", { className: "num", text: String(row.pending) }));
      tr.append(element("td", { className: "num", text: formatValue("rate", row.false_alarm_rate, fill) }));
      tr.append(element("td", { className: "num", text: formatValue("rate", row.sensor_online_rate, fill) }));
      return tr;
    }),
  );
}

/** 转办: per partner department, how it takes and handles the jobs the streets refer. */
function renderReferrals() {
  const body = part("referrals");
  if (!body) return;
  const rows = data.referrals ?? [];
  if (!rows.length) {
    const tr = element("tr", { className: "empty-row" });
    tr.append(element("td", { text: say("no-referrals"), attributes: { colspan: "7" } }));
    body.replaceChildren(tr);
    return;
  }
  body.replaceChildren(
    ...rows.map((row) => {
      const f = row.figures;
      const tr = element("tr");
      tr.append(element("td", { text: row.name }));
      tr.append(element("td", { className: "num", text: String(f.referrals.value) }));
      tr.append(element("td", { className: "num", text: formatValue("rate", f.referral_accept_rate.value, fill) }));
      tr.append(element("td", { className: "num", text: formatValue("rate", f.referral_on_time_rate.value, fill) }));
      const hours = f.referral_handling_hours.p50;
      tr.append(element("td", { className: "num", text: hours === null ? say("none") : String(hours) }));
      tr.append(element("td", { className: "num", text: String(f.referral_declined.value) }));
      tr.append(element("td", { className: "num", text: `${f.open}, ${f.overdue}` }));
      return tr;
    }),
  );
}

let reportChoice = null;

function renderMeta() {
  part("range-label").textContent = rangeLabel(data.from, data.to);
  part("previous-label").textContent = rangeLabel(data.previous.from, data.previous.to);
  const custom = part("custom-form");
  if (custom && state.range !== "custom") {
    custom.elements.from.value = data.from;
    custom.elements.to.value = data.to;
  }
  state.from = data.from;
  state.to = data.to;
  // The ad-hoc report's form offers the range and station on the screen.
  // Only when the choice changed: a refresh leaves what is being typed there alone.
  const report = root.querySelector(".report-form");
  const chosen = `${data.from}/${data.to}/${state.station}`;
  if (report && chosen !== reportChoice) {
    reportChoice = chosen;
    for (const [name, value] of [["start", data.from], ["end", data.to]]) {
      if (report.elements[name]) report.elements[name].value = value;
    }
    const station = report.elements.station;
    if (station && config.districtWide) station.value = state.station;
  }
}

function renderAll() {
  readDefinitions();
  renderMeta();
  renderCards();
  renderGauges();
  renderArrival();
  renderHeat();
  renderRanking();
  renderStations();
  renderBreaches();
  renderSensors();
  renderReferrals();
  renderZones();
}

// --- Reading the figures -----------------------------------------------------------

const status = part("status");
const errorBox = part("error");
let reading = 0;

function includesToday() {
  const today = localToday();
  return data.from <= today && today <= data.to;
}

function showUpdated() {
  status.textContent = say(includesToday() ? "live" : "updated", { time: localTime() });
  status.dataset.state = includesToday() ? "live" : "static";
}

function showError(error) {
  errorBox.textContent = say("load-error", { message: error instanceof ApiError ? error.message : String(error) });
  errorBox.hidden = false;
}

async function load({ quiet = false } = {}) {
  const mine = ++reading;
  if (!quiet) {
    status.textContent = say("loading");
    root.classList.add("is-loading");
  }
  try {
    const body = await fetchJson(withQuery(config.api, query()));
    if (mine !== reading) return; // a later choice is being read
    data = body;
    errorBox.hidden = true;
    renderAll();
    showUpdated();
  } catch (error) {
    if (mine !== reading) return;
    if (error instanceof ApiError && error.status === 401) {
      window.location.reload(); // the session ended: the page sends to the login
      return;
    }
    showError(error);
    status.textContent = "";
  } finally {
    if (mine === reading) root.classList.remove("is-loading");
  }
}

window.setInterval(() => {
  if (document.visibilityState === "visible" && includesToday()) load({ quiet: true });
}, Math.max(10, Number(config.refreshSeconds) || 60) * 1000);

document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible" && includesToday()) load({ quiet: true });
});

showChoice();
renderAll();
showUpdated();
root.dataset.ready = "true";
