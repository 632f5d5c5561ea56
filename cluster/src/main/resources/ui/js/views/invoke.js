// Invoke a function (sync or async) and see an async job's status.

import { json, q } from "../api.js";
import { field, fill, h } from "../dom.js";
import { parsePairs } from "./deploy.js";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];

export function invokeView(ctx, name) {
  const ns = ctx.namespace;
  const path = encodeURIComponent(name);
  const method = h("select", {}, METHODS.map((m) => h("option", { value: m }, m)));
  const subPath = h("input", { value: "/", spellcheck: "false", autocomplete: "off" });
  const headers = h("textarea", { rows: 3, spellcheck: "false", placeholder: "Content-Type: text/plain" });
  const body = h("textarea", { rows: 5, spellcheck: "false" });
  const sync = h("input", { type: "radio", name: "invoke-mode", id: "mode-sync", value: "sync", checked: true });
  const async = h("input", { type: "radio", name: "invoke-mode", id: "mode-async", value: "async" });
  const result = h("div", { class: "card result", id: "invoke-result", "aria-live": "polite", hidden: true });
  const form = h("form", { class: "card form", id: "invoke-form", novalidate: true });

  async function send(event) {
    event.preventDefault();
    const parsed = parsePairs(headers.value, ":");
    if (parsed.problems.length) {
      show(h("p", { class: "error", role: "alert" }, `headers: ${parsed.problems.join("; ")}`));
      return;
    }
    let sub = subPath.value.trim() || "/";
    if (!sub.startsWith("/")) sub = `/${sub}`;
    const isAsync = async.checked;
    const url = `/${isAsync ? "async-function" : "function"}/${path}.${encodeURIComponent(ns)}${sub === "/" ? "" : sub}`;
    const init = { method: method.value, headers: parsed.pairs };
    if (!["GET", "HEAD"].includes(method.value) && body.value !== "") init.body = body.value;
    const started = performance.now();
    let response;
    try {
      response = await fetch(url, init);
    } catch (e) {
      show(h("p", { class: "error", role: "alert" }, `The call failed: ${e.message}`));
      return;
    }
    const text = await response.text();
    const took = performance.now() - started;
    const callId = response.headers.get("X-Call-Id");
    const list = [];
    response.headers.forEach((v, k) => list.push([k, v]));
    show(
      h(
        "dl",
        { class: "numbers" },
        h("div", { "data-number": "status" }, h("dt", {}, "Status"), h("dd", { id: "invoke-status" }, `${response.status} ${response.statusText}`)),
        h("div", {}, h("dt", {}, "Time"), h("dd", { id: "invoke-time" }, `${took.toFixed(1)} ms`)),
        callId ? h("div", { class: "long" }, h("dt", {}, "Call id"), h("dd", { id: "invoke-call-id" }, callId)) : null,
      ),
      isAsync && response.status === 202 && callId
        ? h(
            "p",
            {},
            "Accepted for later: ",
            h("a", { id: "job-link", href: `#/functions/${path}/calls/${encodeURIComponent(callId)}` }, "see the job's status"),
            ".",
          )
        : null,
      h("h3", {}, "Headers"),
      h("table", { class: "data compact" }, h("tbody", {}, list.map(([k, v]) => h("tr", {}, h("th", { scope: "row" }, k), h("td", {}, v))))),
      h("h3", {}, "Body"),
      h("pre", { class: "body", id: "invoke-body", tabindex: "0" }, text || "(empty)"),
    );
  }

  function show(...children) {
    result.hidden = false;
    fill(result, h("h2", {}, "Response"), children);
  }

  form.addEventListener("submit", send);
  fill(
    form,
    h(
      "fieldset",
      { class: "radios" },
      h("legend", {}, "Call"),
      h("div", { class: "check" }, sync, h("label", { for: "mode-sync" }, "Synchronous: wait for the answer")),
      h("div", { class: "check" }, async, h("label", { for: "mode-async" }, "Asynchronous: queue it and get a call id")),
    ),
    h(
      "div",
      { class: "form-grid" },
      field("i-method", "Method", method),
      field("i-path", "Path", subPath, `Appended to /function/${name}.${ns}`),
    ),
    field("i-headers", "Headers (one Name: value a line)", headers),
    field("i-body", "Body", body),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", id: "invoke-submit" }, "Send")),
  );
  const element = h(
    "section",
    { "aria-labelledby": "invoke-title" },
    h(
      "div",
      { class: "title-row" },
      h("h1", { id: "invoke-title" }, `Invoke ${name}`),
      h("a", { class: "button", href: `#/functions/${path}` }, "Back to the function"),
    ),
    form,
    result,
  );
  return { element };
}

export function jobView(ctx, name, callId) {
  const ns = ctx.namespace;
  const path = encodeURIComponent(name);
  const out = h("div", { id: "job" }, h("p", { class: "muted" }, "Loading…"));

  async function load() {
    try {
      const job = await json("GET", `/system/async/${path}/calls/${encodeURIComponent(callId)}${q({ namespace: ns })}`);
      const rows = [
        ["State", job.state, "state"],
        ["Attempts", job.attempts, "attempts"],
        ["Last status", job.lastStatus ?? "–", "lastStatus"],
        ["Accepted", job.acceptedAt || "–", "acceptedAt"],
        ["Finished", job.finishedAt || "–", "finishedAt"],
        ["Last error", job.lastError || "–", "lastError"],
      ];
      fill(
        out,
        h("dl", { class: "numbers" }, rows.map(([k, v, key]) => h("div", { "data-number": key }, h("dt", {}, k), h("dd", {}, String(v))))),
        job.result ? [h("h2", {}, "Result"), h("pre", { class: "body", tabindex: "0" }, job.result.body ?? job.result.bodyBase64 ?? "")] : null,
        h("h2", {}, "As JSON"),
        h("pre", { class: "body", tabindex: "0" }, JSON.stringify(job, null, 2)),
      );
    } catch (e) {
      fill(out, h("p", { class: "error", role: "alert" }, e.message));
    }
  }

  load();
  const element = h(
    "section",
    { "aria-labelledby": "job-title" },
    h(
      "div",
      { class: "title-row" },
      h("h1", { id: "job-title" }, `Job ${callId}`),
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", onclick: load, id: "job-refresh" }, "Refresh"),
        h("a", { class: "button", href: `#/functions/${path}` }, `Back to ${name}`),
      ),
    ),
    out,
  );
  return { element };
}
