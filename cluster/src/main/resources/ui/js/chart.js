// The function timeline: replicas, in-flight and buffered calls over the last minutes, drawn in
// SVG, with a marker for each scale decision (its reason in the marker's title and in a list).

import { s, h } from "./dom.js";
import { clock } from "./format.js";

const W = 1000;
const H = 230;
const PAD = { left: 40, right: 12, top: 12, bottom: 28 };
export const SERIES = [
  { key: "desired", label: "Replicas wanted", css: "line-desired" },
  { key: "ready", label: "Replicas ready", css: "line-ready" },
  { key: "inFlight", label: "In flight", css: "line-inflight" },
  { key: "buffered", label: "Buffered", css: "line-buffered" },
];

/**
 * An <svg> of `samples` ({t, desired, ready, inFlight, buffered}) between `now - spanMillis` and
 * `now`, with `changes` ({at, from, to, reason, detail}) as vertical markers.
 */
export function timeline(samples, changes, now, spanMillis) {
  const start = now - spanMillis;
  const shown = samples.filter((p) => p.t >= start);
  const marks = changes.filter((c) => c.at >= start && c.at <= now);
  let top = 4;
  for (const p of shown) for (const se of SERIES) top = Math.max(top, p[se.key]);
  for (const c of marks) top = Math.max(top, c.from, c.to);
  top = niceTop(top);
  const x = (t) => PAD.left + ((t - start) / spanMillis) * (W - PAD.left - PAD.right);
  const y = (v) => H - PAD.bottom - (v / top) * (H - PAD.top - PAD.bottom);

  const grid = [];
  for (let i = 0; i <= 4; i++) {
    const v = (top / 4) * i;
    grid.push(
      s("line", { class: "grid", x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v) }),
      s("text", { class: "axis", x: PAD.left - 6, y: y(v) + 4, "text-anchor": "end" }, fmt(v)),
    );
  }
  const minutes = Math.round(spanMillis / 60000);
  const step = minutes > 5 ? 2 : 1;
  for (let m = minutes % step; m <= minutes; m += step) {
    const t = start + m * 60000;
    grid.push(
      s(
        "text",
        { class: "axis", x: x(t), y: H - 8, "text-anchor": "middle" },
        m === minutes ? "now" : `-${minutes - m} min`,
      ),
    );
  }
  const lines = SERIES.map((se) =>
    shown.length > 1
      ? s("polyline", {
          class: `series ${se.css}`,
          points: shown.map((p) => `${x(p.t).toFixed(1)},${y(p[se.key]).toFixed(1)}`).join(" "),
        })
      : null,
  );
  const markers = marks.map((c) =>
    s(
      "g",
      { class: `marker ${c.to > c.from ? "up" : "down"}`, "data-reason": c.reason },
      s("title", {}, describe(c)),
      s("line", { x1: x(c.at), x2: x(c.at), y1: PAD.top, y2: H - PAD.bottom }),
      s("circle", { cx: x(c.at), cy: y(c.to), r: 4 }),
    ),
  );
  return s(
    "svg",
    {
      class: "timeline",
      viewBox: `0 0 ${W} ${H}`,
      role: "img",
      "aria-label": `Timeline of the last ${minutes} minutes: ${SERIES.map((x) => x.label).join(", ")}, and ${marks.length} scale decision(s)`,
    },
    grid,
    lines,
    markers,
  );
}

export function legend() {
  return h(
    "ul",
    { class: "legend" },
    SERIES.map((se) => h("li", {}, h("span", { class: `swatch ${se.css}` }), se.label)),
    h("li", {}, h("span", { class: "swatch marker-swatch" }), "Scale decision"),
  );
}

export function describe(c) {
  return `${clock(c.at)}: ${c.from} → ${c.to} replicas, ${c.reason}${c.detail ? ` (${c.detail})` : ""}`;
}

function niceTop(v) {
  const steps = [4, 8, 12, 16, 20, 40, 60, 80, 100, 200, 400, 600, 800, 1000];
  for (const st of steps) if (v <= st) return st;
  return Math.ceil(v / 1000) * 1000;
}

function fmt(v) {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}
