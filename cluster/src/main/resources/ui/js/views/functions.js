// Functions: every function of the namespace with its live numbers; sortable and filterable.

import { fill, h } from "../dom.js";
import { millis, number, percent } from "../format.js";

const COLUMNS = [
  { key: "name", label: "Name", value: (f) => f.name, text: (f) => f.name },
  {
    key: "replicas",
    label: "Replicas (ready / wanted)",
    value: (f) => f.ready,
    text: (f) => `${f.ready} / ${f.desired}`,
  },
  { key: "inFlight", label: "In flight", value: (f) => f.inFlight, text: (f) => f.inFlight },
  { key: "buffered", label: "Buffered", value: (f) => f.buffered, text: (f) => f.buffered },
  { key: "rps", label: "Req/s", value: (f) => f.rps, text: (f) => number(f.rps) },
  { key: "p50", label: "p50", value: (f) => f.p50Ms, text: (f) => millis(f.p50Ms) },
  { key: "p99", label: "p99", value: (f) => f.p99Ms, text: (f) => millis(f.p99Ms) },
  {
    key: "errors",
    label: "Errors",
    value: (f) => f.errorRate,
    text: (f) => percent(f.errorRate),
  },
];

export function functionsView(ctx) {
  const state = { sort: "name", ascending: true, filter: "" };
  const body = h("tbody");
  const head = h("tr");
  const table = h(
    "table",
    { class: "data", id: "functions-table" },
    h("caption", { class: "visually-hidden" }, "Functions and their live numbers"),
    h("thead", {}, head),
    body,
  );
  const empty = h("div", { class: "empty", id: "functions-empty", hidden: true });
  const summary = h("p", { class: "muted", id: "functions-summary", "aria-live": "polite" });
  const filter = h("input", {
    id: "functions-filter",
    type: "search",
    placeholder: "Filter by name or image",
    oninput: (e) => {
      state.filter = e.target.value.trim().toLowerCase();
      draw();
    },
  });

  function header() {
    fill(
      head,
      COLUMNS.map((c) =>
        h(
          "th",
          {
            scope: "col",
            "aria-sort":
              state.sort === c.key ? (state.ascending ? "ascending" : "descending") : null,
          },
          h(
            "button",
            {
              type: "button",
              class: "sort",
              "data-sort": c.key,
              onclick: () => {
                state.ascending = state.sort === c.key ? !state.ascending : c.key === "name";
                state.sort = c.key;
                header();
                draw();
                head.querySelector(`[data-sort="${c.key}"]`).focus();
              },
            },
            c.label,
            h("span", { "aria-hidden": "true", class: "sort-mark" }, mark(c.key)),
          ),
        ),
      ),
    );
  }

  function mark(key) {
    if (state.sort !== key) return "";
    return state.ascending ? " ▲" : " ▼";
  }

  function draw() {
    const event = ctx.last;
    if (!event) {
      fill(summary, "Waiting for the gateway's live numbers…");
      return;
    }
    const all = event.functions;
    if (all.length === 0) {
      body.dataset.order = "";
      table.hidden = true;
      empty.hidden = false;
      fill(
        empty,
        h("h2", {}, "No functions yet"),
        h("p", {}, `Namespace ${event.namespace} has no functions.`),
        h("a", { class: "button primary", href: "#/deploy" }, "Deploy a function"),
      );
      fill(summary);
      return;
    }
    table.hidden = false;
    empty.hidden = true;
    const col = COLUMNS.find((c) => c.key === state.sort);
    const rows = all
      .filter(
        (f) =>
          !state.filter ||
          f.name.toLowerCase().includes(state.filter) ||
          f.image.toLowerCase().includes(state.filter),
      )
      .sort((a, b) => {
        const va = col.value(a);
        const vb = col.value(b);
        const c = typeof va === "string" ? va.localeCompare(vb) : va - vb;
        return (state.ascending ? c : -c) || a.name.localeCompare(b.name);
      });
    // Each second only the numbers change: update the cells in place, so that keyboard focus on a
    // link stays where it is; rebuild the rows only when the functions or their order change.
    const order = rows.map((f) => `${f.name} ${f.image}`).join("\n");
    if (order === body.dataset.order) {
      rows.forEach((f, i) => {
        const tr = body.children[i];
        COLUMNS.forEach((c, j) => {
          if (j > 0) tr.children[j].textContent = c.text(f);
        });
      });
    } else {
      body.dataset.order = order;
      rebuild(rows);
    }
    const text = `${rows.length} of ${all.length} function(s); numbers over the last ${event.windowSeconds} s, updated every second.`;
    if (summary.textContent !== text) summary.textContent = text; // announced only when it changes
  }

  function rebuild(rows) {
    const focused = document.activeElement && document.activeElement.closest("tr[data-function]");
    const focusedName = focused && body.contains(focused) ? focused.dataset.function : null;
    fill(
      body,
      rows.map((f) =>
        h(
          "tr",
          { "data-function": f.name },
          COLUMNS.map((c, i) =>
            i === 0
              ? h(
                  "th",
                  { scope: "row" },
                  h("a", { href: `#/functions/${encodeURIComponent(f.name)}` }, f.name),
                  h("span", { class: "muted small block" }, f.image),
                )
              : h("td", { "data-col": c.key }, c.text(f)),
          ),
        ),
      ),
    );
    if (focusedName) {
      const link = body.querySelector(`tr[data-function="${focusedName}"] a`);
      if (link) link.focus();
    }
  }

  header();
  draw();
  const off = ctx.onLive(draw);
  const element = h(
    "section",
    { "aria-labelledby": "functions-title" },
    h(
      "div",
      { class: "title-row" },
      h("h1", { id: "functions-title" }, "Functions"),
      h("a", { class: "button primary", href: "#/deploy" }, "Deploy a function"),
    ),
    h("div", { class: "field inline" }, h("label", { for: "functions-filter" }, "Filter"), filter),
    summary,
    h("div", { class: "table-wrap" }, table),
    empty,
  );
  return { element, dispose: off };
}
