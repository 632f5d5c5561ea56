// Namespaces: the configured ones, how many functions each has, and a way to switch.

import { json, q } from "../api.js";
import { fill, h } from "../dom.js";

export function namespacesView(ctx) {
  const body = h("tbody");

  async function load() {
    const counts = await Promise.all(
      ctx.namespaces.map((ns) =>
        json("GET", `/system/functions${q({ namespace: ns })}`).then(
          (list) => list.length,
          () => "?",
        ),
      ),
    );
    fill(
      body,
      ctx.namespaces.map((ns, i) =>
        h(
          "tr",
          { "data-namespace": ns },
          h("th", { scope: "row" }, h("code", {}, ns)),
          h("td", {}, String(counts[i])),
          h(
            "td",
            {},
            ns === ctx.namespace
              ? h("span", { class: "muted" }, "current")
              : h(
                  "button",
                  {
                    type: "button",
                    onclick: () => {
                      ctx.setNamespace(ns);
                      ctx.go("#/functions");
                    },
                  },
                  `Switch to ${ns}`,
                ),
          ),
        ),
      ),
    );
  }

  load();
  const element = h(
    "section",
    { "aria-labelledby": "namespaces-title" },
    h("h1", { id: "namespaces-title" }, "Namespaces"),
    h(
      "p",
      { class: "muted" },
      "Configured on the node (SHARDLESS_NAMESPACES). Functions, secrets and async queues belong to one namespace.",
    ),
    h(
      "div",
      { class: "card table-wrap" },
      h(
        "table",
        { class: "data", id: "namespaces-table" },
        h(
          "thead",
          {},
          h("tr", {}, ["Namespace", "Functions", ""].map((t) => h("th", { scope: "col" }, t))),
        ),
        body,
      ),
    ),
  );
  return { element };
}
