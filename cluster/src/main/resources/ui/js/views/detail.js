// Function detail: spec and labels in words, live numbers and timeline with scale decisions,
// async queue and dead letters, recent logs with follow.

import { call, json, q, readLines } from "../api.js";
import { fill, h } from "../dom.js";
import { describe, legend, timeline } from "../chart.js";
import { age, clock, explainEnv, explainLabels, millis, number, percent } from "../format.js";

const MAX_SPAN_MINUTES = 5;
const ASYNC_REFRESH_MILLIS = 3000;
const MAX_LOG_LINES = 500;

export function detailView(ctx, name) {
  const ns = ctx.namespace;
  const path = encodeURIComponent(name);
  const numbers = h("dl", { class: "numbers", id: "live-numbers" });
  const chart = h("div", { class: "chart", id: "timeline" });
  const decisions = h("ol", { class: "decisions", id: "decisions" });
  const spec = h("div", { id: "spec" }, h("p", { class: "muted" }, "Loading…"));
  const queue = h("dl", { class: "numbers", id: "async-queue" });
  const letters = h("div", { id: "dead-letters" });
  const logs = h("pre", {
    class: "logs",
    id: "logs",
    tabindex: "0",
    "aria-label": "Recent log lines",
  });
  const asyncMessage = h("p", { class: "message", role: "status", id: "async-message" });
  const follow = h("input", { type: "checkbox", id: "logs-follow" });
  const timelineTitle = h("h2", { id: "timeline-title" }, "Timeline");
  const error = h("p", { class: "error", role: "alert", hidden: true });
  let logController = null;
  let disposed = false;

  function drawLive() {
    const f = ctx.last && ctx.last.functions.find((x) => x.name === name);
    if (!f) {
      fill(numbers, h("div", {}, h("dt", {}, "Status"), h("dd", {}, "Waiting for live numbers…")));
      return;
    }
    const rows = [
      ["Replicas ready / wanted", `${f.ready} / ${f.desired}`, "replicas"],
      ["In flight", f.inFlight, "inFlight"],
      ["Buffered", f.buffered, "buffered"],
      ["Requests per second", number(f.rps), "rps"],
      ["Latency p50", millis(f.p50Ms), "p50"],
      ["Latency p99", millis(f.p99Ms), "p99"],
      ["Errors (5xx)", percent(f.errorRate), "errors"],
      ["Autoscaling", f.autoscaling ? "on" : "off (pinned)", "auto"],
    ];
    fill(
      numbers,
      rows.map(([k, v, key]) =>
        h("div", { "data-number": key }, h("dt", {}, k), h("dd", {}, String(v))),
      ),
    );
    const samples = ctx.history.get(name) || [];
    const changes = ctx.changes.get(name) || [];
    // The chart grows from 1 to 5 minutes as the page (or the gateway) has seen more.
    const seen = samples.length ? ctx.last.time - samples[0].t : 0;
    const minutes = Math.min(MAX_SPAN_MINUTES, Math.max(1, Math.ceil(seen / 60000)));
    const span = minutes * 60000;
    timelineTitle.textContent = `Last ${minutes === 1 ? "minute" : `${minutes} minutes`}`;
    fill(chart, timeline(samples, changes, ctx.last.time, span));
    const recent = changes.filter((c) => c.at >= ctx.last.time - span).reverse();
    fill(
      decisions,
      recent.length
        ? recent.map((c) => h("li", { "data-reason": c.reason }, describe(c)))
        : h("li", { class: "muted" }, "No scale decision in this time."),
    );
  }

  async function loadSpec() {
    try {
      const f = await json("GET", `/system/function/${path}${q({ namespace: ns })}`);
      const env = Object.entries(f.envVars || {});
      fill(
        spec,
        h(
          "dl",
          { class: "spec" },
          item("Image", f.image),
          item("Command", f.envProcess || "–"),
          item("Mode", (f.envVars || {}).mode === "http" ? "HTTP (long-running)" : "Classic (forked per request)"),
          item("Namespace", f.namespace),
          item("Created", f.createdAt ? new Date(f.createdAt).toLocaleString("en-GB") : "–"),
          item("Secrets", (f.secrets || []).join(", ") || "none"),
          item("Calls since start", number(f.invocationCount, 0)),
          f.confinement
            ? item(
                "Confinement",
                `${f.confinement.sandbox}; memory ${f.confinement.memory}; cpu ${f.confinement.cpu}`,
              )
            : null,
        ),
        h("h3", {}, "Labels"),
        explained(explainLabels(f.labels), "labels-table"),
        h("h3", {}, "Environment"),
        env.length
          ? explained(
              env.map(([key, value]) => ({ key, value, text: explainEnv(key, value) })),
              "env-table",
            )
          : h("p", { class: "muted" }, "No environment variables."),
      );
    } catch (e) {
      error.hidden = false;
      error.textContent = e.message;
    }
  }

  async function loadAsync() {
    try {
      const [status, dead] = await Promise.all([
        json("GET", `/system/async/${path}${q({ namespace: ns })}`),
        json("GET", `/system/async/${path}/dead-letters${q({ namespace: ns, limit: 50 })}`),
      ]);
      if (disposed) return;
      const oldest = status.oldestWaitingSince
        ? age(Date.now() - Date.parse(status.oldestWaitingSince))
        : "–";
      fill(
        queue,
        [
          ["Queued", status.queued, "queued"],
          ["Running", status.running, "running"],
          ["Waiting to retry", status.retryWaiting, "retryWaiting"],
          ["Oldest waiting job", oldest, "oldest"],
          ["Dead letters", status.deadLetters, "deadLetters"],
          ["Accepted / succeeded", `${status.accepted} / ${status.succeeded}`, "accepted"],
        ].map(([k, v, key]) =>
          h("div", { "data-number": key }, h("dt", {}, k), h("dd", {}, String(v))),
        ),
      );
      drawLetters(dead);
    } catch (e) {
      if (!disposed) asyncMessage.textContent = `Could not read the queue: ${e.message}`;
    }
  }

  function drawLetters(dead) {
    // Redrawn only when the list changed, so keyboard focus on a button stays put.
    const key = JSON.stringify(dead.jobs.map((j) => [j.callId, j.attempts, j.lastStatus]));
    if (key === letters.dataset.key) return;
    letters.dataset.key = key;
    if (!dead.jobs.length) {
      fill(letters, h("p", { class: "muted" }, "No dead letters."));
      return;
    }
    fill(
      letters,
      h(
        "div",
        { class: "title-row" },
        h("p", {}, `${dead.total} dead-lettered job(s)`),
        h("button", { type: "button", id: "redrive-all", onclick: () => redrive(null) }, "Redrive all"),
      ),
      h(
        "div",
        { class: "table-wrap" },
        h(
          "table",
          { class: "data", id: "dead-letters-table" },
          h("caption", { class: "visually-hidden" }, "Dead-lettered jobs"),
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ["Call id", "Attempts", "Last status", "Last error", "Accepted", ""].map((t) =>
                h("th", { scope: "col" }, t),
              ),
            ),
          ),
          h(
            "tbody",
            {},
            dead.jobs.map((j) =>
              h(
                "tr",
                { "data-call-id": j.callId },
                h(
                  "th",
                  { scope: "row" },
                  h(
                    "a",
                    { href: `#/functions/${path}/calls/${encodeURIComponent(j.callId)}` },
                    j.callId,
                  ),
                ),
                h("td", {}, String(j.attempts)),
                h("td", {}, j.lastStatus === undefined ? "–" : String(j.lastStatus)),
                h("td", { class: "wrap" }, j.lastError || "–"),
                h("td", {}, j.acceptedAt ? clock(Date.parse(j.acceptedAt)) : "–"),
                h(
                  "td",
                  {},
                  h(
                    "button",
                    {
                      type: "button",
                      "aria-label": `Redrive ${j.callId}`,
                      onclick: () => redrive([j.callId]),
                    },
                    "Redrive",
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
    );
  }

  async function redrive(ids) {
    try {
      const r = await json("POST", `/system/async/${path}/dead-letters/redrive${q({ namespace: ns })}`, {
        body: ids ? { callIds: ids } : "",
      });
      asyncMessage.textContent = `Redriven: ${r.redriven.join(", ") || "none"}`;
    } catch (e) {
      asyncMessage.textContent = `Redrive failed: ${e.message}`;
    }
    loadAsync();
  }

  async function loadLogs() {
    if (logController) logController.abort();
    const controller = new AbortController();
    logController = controller;
    logs.textContent = "";
    const params = { name, namespace: ns, tail: 100 };
    if (follow.checked) params.follow = "true";
    try {
      const r = await call("GET", `/system/logs${q(params)}`, { signal: controller.signal });
      await readLines(r, (line) => {
        if (!line.trim()) return;
        const l = JSON.parse(line);
        appendLog(`${l.timestamp.slice(11, 23)} ${l.instance}  ${l.text}\n`);
      });
      if (!logs.textContent) logs.textContent = "No log lines yet.";
    } catch (e) {
      if (e.name !== "AbortError" && !disposed) logs.textContent = `Could not read logs: ${e.message}`;
    }
  }

  function appendLog(text) {
    const atBottom = logs.scrollTop + logs.clientHeight >= logs.scrollHeight - 4;
    logs.append(text);
    while (logs.childNodes.length > MAX_LOG_LINES) logs.firstChild.remove();
    if (atBottom) logs.scrollTop = logs.scrollHeight;
  }

  async function remove() {
    if (!window.confirm(`Delete function ${name}? Its replicas stop.`)) return;
    try {
      await call("DELETE", "/system/functions", { body: { functionName: name, namespace: ns } });
      ctx.go("#/functions");
    } catch (e) {
      error.hidden = false;
      error.textContent = e.message;
    }
  }

  follow.addEventListener("change", loadLogs);
  const off = ctx.onLive(drawLive);
  const timer = setInterval(loadAsync, ASYNC_REFRESH_MILLIS);
  drawLive();
  loadSpec();
  loadAsync();
  loadLogs();

  const element = h(
    "section",
    { "aria-labelledby": "detail-title", class: "detail" },
    h(
      "div",
      { class: "title-row" },
      h("h1", { id: "detail-title" }, name),
      h(
        "div",
        { class: "actions" },
        h("a", { class: "button primary", href: `#/functions/${path}/invoke` }, "Invoke"),
        h("a", { class: "button", href: `#/functions/${path}/edit` }, "Edit"),
        h("button", { type: "button", class: "danger", onclick: remove }, "Delete"),
      ),
    ),
    error,
    h(
      "div",
      { class: "grid" },
      h(
        "section",
        { class: "card wide", "aria-labelledby": "live-title" },
        h("h2", { id: "live-title" }, "Live"),
        numbers,
      ),
      h(
        "section",
        { class: "card wide", "aria-labelledby": "timeline-title" },
        timelineTitle,
        chart,
        legend(),
        h("h3", {}, "Scale decisions"),
        decisions,
      ),
      h(
        "section",
        { class: "card", "aria-labelledby": "async-title" },
        h("h2", { id: "async-title" }, "Async queue"),
        queue,
        asyncMessage,
        h("h3", {}, "Dead letters"),
        letters,
      ),
      h(
        "section",
        { class: "card", "aria-labelledby": "spec-title" },
        h("h2", { id: "spec-title" }, "Definition"),
        spec,
      ),
      h(
        "section",
        { class: "card wide", "aria-labelledby": "logs-title" },
        h(
          "div",
          { class: "title-row" },
          h("h2", { id: "logs-title" }, "Logs"),
          h("div", { class: "check" }, follow, h("label", { for: "logs-follow" }, "Follow")),
        ),
        logs,
      ),
    ),
  );
  return {
    element,
    dispose() {
      disposed = true;
      off();
      clearInterval(timer);
      if (logController) logController.abort();
    },
  };
}

function item(term, value) {
  return h("div", {}, h("dt", {}, term), h("dd", {}, value));
}

function explained(rows, id) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "data explained", id },
      h(
        "thead",
        {},
        h("tr", {}, ["Key", "Value", "Meaning"].map((t) => h("th", { scope: "col" }, t))),
      ),
      h(
        "tbody",
        {},
        rows.map((r) =>
          h(
            "tr",
            {},
            h("th", { scope: "row" }, h("code", {}, r.key)),
            h("td", {}, h("code", {}, r.value)),
            h("td", {}, r.text),
          ),
        ),
      ),
    ),
  );
}
