/**
 * The dashboard's ECharts options, one builder per panel: plain data in (the
 * /api/v1/dashboard/ answer's parts), an option object out, so a chart keeps
 * its instance and only takes a new option (setOption) on every read.
 *
 * Tooltips are drawn on the canvas (renderMode "richText"): the HTML tooltip
 * writes style attributes into its markup, which the Content-Security-Policy
 * refuses. Every builder copes with empty data (a fresh day, a station with
 * no jobs): the axes stay, the values are zeros, the page says 暂无数据.
 */

import { duration, percent } from "./format.js";

export const COLORS = {
  ink: "#0f172a",
  muted: "#475569",
  faint: "#94a3b8",
  line: "#d8dee8",
  accent: "#1d4ed8",
  ok: "#15803d",
  amber: "#d97706",
  red: "#dc2626",
  track: "#e2e8f0",
};
export const FONT =
  'system-ui, -apple-system, "Segoe UI", Roboto, "PingFang SC", "Hiragino Sans GB", ' +
  '"Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif';

const BASE = {
  textStyle: { fontFamily: FONT, color: COLORS.ink },
  animationDuration: 400,
  animationDurationUpdate: 300,
};

function tooltip(extra = {}) {
  return {
    renderMode: "richText",
    backgroundColor: "rgba(15, 23, 42, 0.92)",
    borderWidth: 0,
    textStyle: { color: "#fff", fontFamily: FONT, fontSize: 12 },
    ...extra,
  };
}

/** A KPI's short name: the words before its explanation in brackets. */
export function shortName(name) {
  return String(name ?? "").split(/\s*[（(]/)[0] || String(name ?? "");
}

const isNumber = (value) => value !== null && value !== undefined && Number.isFinite(Number(value));

// --- Compliance gauges -------------------------------------------------------------

/** Where each gauge goes: in one row if there is room, else two. */
export function gaugeLayout(count, width, height) {
  const columns = count > 2 && width / count < 170 ? Math.ceil(count / 2) : Math.max(count, 1);
  const rows = Math.ceil(count / columns) || 1;
  const cellWidth = width / columns;
  const cellHeight = height / rows;
  const radius = Math.max(30, Math.min(cellWidth / 2 - 12, cellHeight / 2 - 6));
  return Array.from({ length: count }, (_, index) => ({
    center: [
      (index % columns) * cellWidth + cellWidth / 2,
      Math.floor(index / columns) * cellHeight + cellHeight / 2 + radius * 0.12,
    ],
    radius,
  }));
}

/**
 * One gauge per KPI (0–100%), red below its target and green above it, the
 * target marked by a short black needle; a KPI with no jobs shows no pointer.
 */
export function gaugesOption(gauges, { width, height, words }) {
  const layout = gaugeLayout(gauges.length, width, height);
  return {
    ...BASE,
    series: gauges.map((gauge, index) => {
      const { center, radius } = layout[index];
      const target = isNumber(gauge.target) ? Number(gauge.target) : null;
      const known = isNumber(gauge.value);
      const small = radius < 55;
      const data = [
        {
          value: known ? Math.round(Number(gauge.value) * 1000) / 10 : 0,
          name: `${shortName(gauge.name)}\n${target === null ? "" : words.target(percent(target, 0))}`,
          title: { offsetCenter: [0, "78%"], fontSize: small ? 10 : 11, color: COLORS.muted, lineHeight: 15 },
          detail: {
            offsetCenter: [0, "28%"],
            fontSize: known ? (small ? 15 : 19) : 12,
            fontWeight: 600,
            color: known ? COLORS.ink : COLORS.faint,
            formatter: () => (known ? percent(gauge.value) : words.empty),
          },
          pointer: { show: known },
        },
      ];
      if (target !== null) {
        data.push({
          value: target * 100,
          name: "",
          title: { show: false },
          detail: { show: false },
          pointer: {
            show: true,
            icon: "rect",
            length: Math.max(8, radius * 0.2),
            width: 3,
            offsetCenter: [0, -radius * 0.86],
            itemStyle: { color: COLORS.ink },
          },
        });
      }
      return {
        id: `gauge-${gauge.code}`,
        type: "gauge",
        center,
        radius,
        min: 0,
        max: 100,
        startAngle: 210,
        endAngle: -30,
        splitNumber: 4,
        axisLine: {
          lineStyle: {
            width: Math.max(6, radius * 0.12),
            color: target === null ? [[1, COLORS.accent]] : [[target, COLORS.red], [1, COLORS.ok]],
          },
        },
        progress: { show: false },
        pointer: { width: 3, length: "58%", itemStyle: { color: COLORS.ink } },
        anchor: { show: known, size: 6, itemStyle: { color: COLORS.ink } },
        axisTick: { show: false },
        splitLine: { length: 5, distance: -Math.max(6, radius * 0.12), lineStyle: { color: "#fff", width: 1 } },
        axisLabel: { show: !small, distance: Math.max(8, radius * 0.16), fontSize: 9, color: COLORS.faint },
        data,
      };
    }),
  };
}

// --- Arrival-time distribution -----------------------------------------------------

/** The bin a number of seconds falls in (edges[i] <= s < edges[i+1]). */
export function binOf(edges, seconds) {
  if (!isNumber(seconds)) return -1;
  let index = 0;
  while (index + 1 < edges.length && edges[index + 1] <= seconds) index += 1;
  return index;
}

function binLabel(edges, index) {
  const low = edges[index];
  const high = edges[index + 1];
  return high === undefined ? `≥${duration(low)}` : `${duration(low)}–${duration(high)}`;
}

/**
 * Bars of the histogram's bins (jobs per bin), up to the last bin with jobs
 * or twice the target, whichever is further; the target, p50 and p90 drawn
 * as vertical lines at their bins, with their values.
 */
export function arrivalOption(histogram, { words }) {
  const edges = histogram?.edges ?? [];
  const counts = histogram?.counts?.length ? histogram.counts : edges.map(() => 0);
  const target = histogram?.target_s;
  const lastWithJobs = counts.reduce((last, count, index) => (count ? index : last), -1);
  const shownTo = Math.min(
    edges.length - 1,
    Math.max(lastWithJobs, binOf(edges, isNumber(target) ? target * 2 : 600), 8),
  );
  const labels = edges.slice(0, shownTo + 1).map((_, index) => binLabel(edges, index));
  const marks = [];
  if (isNumber(target)) {
    marks.push({
      xAxis: Math.min(binOf(edges, target), shownTo),
      name: words.target(duration(target)),
      lineStyle: { color: COLORS.red, type: "solid", width: 2 },
      label: { formatter: words.target(duration(target)), color: COLORS.red },
    });
  }
  for (const [key, color] of [["p50", COLORS.accent], ["p90", COLORS.amber]]) {
    const value = histogram?.[key];
    if (!isNumber(value)) continue;
    marks.push({
      xAxis: Math.min(binOf(edges, value), shownTo),
      name: key,
      lineStyle: { color, type: "dashed", width: 1.5 },
      label: { formatter: words[key](duration(value)), color },
    });
  }
  return {
    ...BASE,
    grid: { left: 44, right: 20, top: 36, bottom: 58 },
    tooltip: tooltip({ trigger: "axis", axisPointer: { type: "shadow" } }),
    xAxis: {
      type: "category",
      data: labels,
      axisLabel: { rotate: 40, fontSize: 10, color: COLORS.muted, interval: 0 },
      axisTick: { alignWithLabel: true },
    },
    yAxis: {
      type: "value",
      name: words.jobs,
      minInterval: 1,
      nameTextStyle: { color: COLORS.muted },
      axisLabel: { color: COLORS.muted },
      splitLine: { lineStyle: { color: COLORS.track } },
    },
    series: [
      {
        id: "arrival",
        type: "bar",
        name: words.jobs,
        data: counts.slice(0, shownTo + 1).map((count, index) => ({
          value: count,
          itemStyle: {
            color: isNumber(target) && edges[index] >= target ? COLORS.amber : COLORS.accent,
          },
        })),
        barCategoryGap: "18%",
        markLine: {
          symbol: ["none", "none"],
          silent: true,
          label: { position: "end", fontSize: 11 },
          data: marks,
        },
      },
    ],
  };
}

// --- Hour of day × weekday ---------------------------------------------------------

/** 24 × 7 cells (hour, weekday Monday = 0) with the calls of each, zeros included. */
export function heatCells(heat) {
  const calls = new Map((heat ?? []).map((cell) => [`${cell.weekday}:${cell.hour}`, cell.calls]));
  const cells = [];
  for (let weekday = 0; weekday < 7; weekday += 1) {
    for (let hour = 0; hour < 24; hour += 1) {
      cells.push([hour, weekday, calls.get(`${weekday}:${hour}`) ?? 0]);
    }
  }
  return cells;
}

export function heatOption(heat, { words }) {
  const cells = heatCells(heat);
  const most = Math.max(1, ...cells.map((cell) => cell[2]));
  return {
    ...BASE,
    grid: { left: 44, right: 16, top: 8, bottom: 54 },
    tooltip: tooltip({
      formatter: (item) =>
        `${words.weekday(item.value[1])} ${words.hour(item.value[0])}\n${words.calls}: ${item.value[2]}`,
    }),
    xAxis: {
      type: "category",
      data: Array.from({ length: 24 }, (_, hour) => String(hour)),
      splitArea: { show: true },
      axisLabel: { color: COLORS.muted },
    },
    yAxis: {
      type: "category",
      inverse: true,
      data: Array.from({ length: 7 }, (_, weekday) => words.weekday(weekday)),
      splitArea: { show: true },
      axisLabel: { color: COLORS.muted },
    },
    visualMap: {
      min: 0,
      max: most,
      calculable: true,
      orient: "horizontal",
      left: "center",
      bottom: 0,
      itemHeight: 120,
      itemWidth: 10,
      textStyle: { color: COLORS.muted, fontSize: 11 },
      inRange: { color: ["#f1f5f9", "#93c5fd", "#1d4ed8", "#172554"] },
    },
    series: [
      {
        id: "heat",
        type: "heatmap",
        name: words.calls,
        data: cells,
        label: { show: false },
        itemStyle: { borderColor: "#fff", borderWidth: 1 },
        emphasis: { itemStyle: { borderColor: COLORS.ink, borderWidth: 1 } },
      },
    ],
  };
}

// --- Zones coloured by a KPI -------------------------------------------------------

/**
 * The zones (a map registered from the API's GeoJSON, matched by each
 * feature's `code`) coloured by one KPI of data.zones.rows. A count is 0
 * where a zone had no calls; a rate has no value there (grey).
 */
export function zonesOption(mapName, features, rows, kpi, { kind, higherIsBetter, words }) {
  const byCode = new Map((rows ?? []).map((row) => [row.zone, row]));
  const rate = kind === "rate" || kind === "satisfaction";
  const data = (features ?? []).map((feature) => {
    const code = feature.properties?.code;
    const row = byCode.get(code);
    const raw = row ? row[kpi] : null;
    const value = isNumber(raw) ? Number(raw) : rate ? null : 0;
    return { name: code, value: value === null ? "-" : value, zoneName: feature.properties?.name ?? code };
  });
  const values = data.map((item) => item.value).filter(isNumber);
  const most = rate ? 1 : Math.max(1, ...values);
  const cool = ["#eff6ff", "#93c5fd", "#1d4ed8", "#172554"];
  const verdict = higherIsBetter ? ["#dc2626", "#fbbf24", "#16a34a"] : ["#16a34a", "#fbbf24", "#dc2626"];
  return {
    ...BASE,
    tooltip: tooltip({
      formatter: (item) => {
        const value = isNumber(item.value) ? (rate ? percent(item.value) : item.value) : words.empty;
        return `${item.data?.zoneName ?? item.name}\n${value}`;
      },
    }),
    visualMap: {
      min: 0,
      max: most,
      calculable: true,
      orient: "vertical",
      left: 4,
      bottom: 8,
      itemHeight: 90,
      itemWidth: 10,
      text: rate ? ["100%", "0%"] : [String(most), "0"],
      textStyle: { color: COLORS.muted, fontSize: 11 },
      formatter: (value) => (rate ? percent(value, 0) : String(Math.round(value))),
      inRange: { color: rate || kpi === "breaches" ? verdict : cool },
      outOfRange: { color: "#e5e7eb" },
    },
    series: [
      {
        id: "zones",
        type: "map",
        map: mapName,
        nameProperty: "code",
        roam: true,
        selectedMode: false,
        left: 60,
        right: 8,
        top: 8,
        bottom: 8,
        label: { show: false },
        itemStyle: { areaColor: "#e5e7eb", borderColor: "#fff", borderWidth: 1 },
        emphasis: { label: { show: false }, itemStyle: { areaColor: "#fde68a" } },
        data,
      },
    ],
  };
}

// --- Ranking -----------------------------------------------------------------------

/** Best first from the top; a vetoed team is drawn at 0 in red with its mark. */
export function rankingOption(rows, { words }) {
  const ordered = [...(rows ?? [])].sort((a, b) => a.rank - b.rank);
  const names = ordered.map((row) => row.name);
  return {
    ...BASE,
    grid: { left: 8, right: 64, top: 8, bottom: 24, containLabel: true },
    tooltip: tooltip({
      trigger: "item",
      formatter: (item) => {
        const row = ordered[item.dataIndex];
        const lines = [`${words.rank(row.rank)} · ${row.name}`, `${words.score}: ${row.score}`];
        if (row.vetoed) lines.push(words.vetoedNote);
        return lines.join("\n");
      },
    }),
    xAxis: {
      type: "value",
      min: 0,
      splitLine: { lineStyle: { color: COLORS.track } },
      axisLabel: { color: COLORS.muted },
    },
    yAxis: {
      type: "category",
      inverse: true,
      data: names,
      axisLabel: { color: COLORS.ink, fontSize: 12 },
      axisTick: { show: false },
    },
    series: [
      {
        id: "ranking",
        type: "bar",
        name: words.score,
        barMaxWidth: 18,
        data: ordered.map((row) => ({
          value: row.vetoed ? 0 : row.score,
          code: row.code,
          itemStyle: { color: row.vetoed ? COLORS.red : COLORS.accent },
          label: {
            show: true,
            position: "right",
            color: row.vetoed ? COLORS.red : COLORS.ink,
            fontWeight: row.vetoed ? 700 : 400,
            formatter: row.vetoed ? `0 ✕ ${words.vetoed}` : String(row.score),
          },
        })),
      },
    ],
  };
}

export function rankingHeight(rows) {
  return Math.max(160, 40 + 26 * (rows?.length ?? 0));
}
