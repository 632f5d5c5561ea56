// The dashboard's shell: login, the hash router, the namespace choice and the one live stream
// per page whose events every view reads.

import { auth, json, LiveStream, onUnauthorized, tryLogin } from "./api.js";
import { fill, h } from "./dom.js";
import { clock } from "./format.js";
import { functionsView } from "./views/functions.js";
import { detailView } from "./views/detail.js";
import { deployView } from "./views/deploy.js";
import { invokeView, jobView } from "./views/invoke.js";
import { secretsView } from "./views/secrets.js";
import { namespacesView } from "./views/namespaces.js";

const HISTORY_MILLIS = 10 * 60 * 1000;
const NS_KEY = "shardless.namespace";

const $ = (id) => document.getElementById(id);

/** What every view can read: namespace, the last live event and the per-function history. */
const ctx = {
  namespace: sessionStorage.getItem(NS_KEY) || "",
  namespaces: [],
  info: null,
  last: null,
  history: new Map(),
  changes: new Map(),
  listeners: new Set(),
  onLive(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  },
  go(hash) {
    if (location.hash === hash) route();
    else location.hash = hash;
  },
  setNamespace(ns) {
    if (ns === this.namespace) return;
    this.namespace = ns;
    sessionStorage.setItem(NS_KEY, ns);
    $("namespace").value = ns;
    this.last = null;
    this.history.clear();
    this.changes.clear();
    stream.open(ns);
  },
};

const stream = new LiveStream(onEvent, onState);
let current = null;

function onEvent(type, event) {
  if (event.namespace !== ctx.namespace) return;
  if (type === "history") {
    for (const [name, rows] of Object.entries(event.functions)) {
      ctx.history.set(
        name,
        rows.map(([t, desired, ready, inFlight, buffered]) => ({ t, desired, ready, inFlight, buffered })),
      );
    }
    return;
  }
  ctx.last = event;
  ctx.lastSeen = Date.now();
  const cutoff = event.time - HISTORY_MILLIS;
  const names = new Set();
  for (const f of event.functions) {
    names.add(f.name);
    const samples = ctx.history.get(f.name) || [];
    if (!samples.length || samples[samples.length - 1].t < event.time) {
      samples.push({
        t: event.time,
        desired: f.desired,
        ready: f.ready,
        inFlight: f.inFlight,
        buffered: f.buffered,
      });
    }
    while (samples.length && samples[0].t < cutoff) samples.shift();
    ctx.history.set(f.name, samples);
    const known = ctx.changes.get(f.name) || [];
    for (const c of f.recentChanges) {
      if (!known.some((k) => k.at === c.at && k.to === c.to && k.reason === c.reason)) known.push(c);
    }
    known.sort((a, b) => a.at - b.at);
    while (known.length && known[0].at < cutoff) known.shift();
    ctx.changes.set(f.name, known);
  }
  for (const name of [...ctx.history.keys()]) {
    if (!names.has(name)) {
      ctx.history.delete(name);
      ctx.changes.delete(name);
    }
  }
  ctx.listeners.forEach((l) => l(event));
}

function onState(state) {
  const banner = $("connection");
  if (banner.dataset.state === state) return; // a live region: announce changes only
  const text = {
    connecting: "Connecting…",
    live: "Live",
    retrying: "Disconnected, retrying…",
  }[state];
  banner.textContent = text;
  banner.dataset.state = state;
  $("app").dataset.connection = state;
  const offline = $("offline");
  offline.hidden = state !== "retrying";
  if (state === "retrying") {
    offline.textContent = ctx.lastSeen
      ? `Disconnected from the gateway, retrying… The numbers shown are from ${clock(ctx.lastSeen)}.`
      : "Disconnected from the gateway, retrying…";
  }
}

const ROUTES = [
  [/^#\/functions\/([^/]+)\/edit$/, (m) => deployView(ctx, decodeURIComponent(m[1]))],
  [/^#\/functions\/([^/]+)\/invoke$/, (m) => invokeView(ctx, decodeURIComponent(m[1]))],
  [
    /^#\/functions\/([^/]+)\/calls\/([^/]+)$/,
    (m) => jobView(ctx, decodeURIComponent(m[1]), decodeURIComponent(m[2])),
  ],
  [/^#\/functions\/([^/]+)$/, (m) => detailView(ctx, decodeURIComponent(m[1]))],
  [/^#\/deploy$/, () => deployView(ctx, null)],
  [/^#\/secrets$/, () => secretsView(ctx)],
  [/^#\/namespaces$/, () => namespacesView(ctx)],
  [/^#\/functions$/, () => functionsView(ctx)],
];

function route() {
  if (!auth.header()) return;
  const hash = location.hash || "#/functions";
  if (!hash.startsWith("#/")) return; // in-page anchors such as the skip link
  let view = null;
  for (const [pattern, make] of ROUTES) {
    const m = hash.match(pattern);
    if (m) {
      view = make(m);
      break;
    }
  }
  if (!view) {
    location.replace("#/functions");
    return;
  }
  if (current && current.dispose) current.dispose();
  current = view;
  const main = $("main");
  fill(main, view.element);
  document.querySelectorAll("nav a").forEach((a) => {
    const active = hash === a.getAttribute("href") || hash.startsWith(`${a.getAttribute("href")}/`);
    if (active) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  });
  const heading = main.querySelector("h1");
  document.title = heading ? `${heading.textContent} · Shardless` : "Shardless";
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: false });
  }
}

async function start() {
  $("login").hidden = true;
  $("app").hidden = false;
  $("user").textContent = auth.user() || "";
  try {
    const [info, namespaces] = await Promise.all([
      json("GET", "/system/info"),
      json("GET", "/system/namespaces"),
    ]);
    ctx.info = info;
    ctx.namespaces = namespaces;
  } catch {
    return; // a 401 took us back to the login form; anything else: the stream shows the state
  }
  const select = $("namespace");
  fill(select, ctx.namespaces.map((ns) => h("option", { value: ns }, ns)));
  if (!ctx.namespaces.includes(ctx.namespace)) ctx.namespace = ctx.namespaces[0];
  select.value = ctx.namespace;
  stream.open(ctx.namespace);
  route();
}

function showLogin(message) {
  stream.close();
  if (current && current.dispose) current.dispose();
  current = null;
  fill($("main"));
  $("app").hidden = true;
  $("login").hidden = false;
  const error = $("login-error");
  error.textContent = message || "";
  error.hidden = !message;
  $("login-password").value = "";
  (message ? $("login-password") : $("login-user")).focus();
}

async function onLogin(event) {
  event.preventDefault();
  const user = $("login-user").value.trim();
  const password = $("login-password").value;
  const button = $("login-submit");
  const error = $("login-error");
  button.disabled = true;
  error.hidden = true;
  try {
    if (await tryLogin(user, password)) {
      auth.save(user, password);
      await start();
    } else {
      showLogin("Wrong user name or password.");
    }
  } catch (e) {
    showLogin(`The gateway did not answer: ${e.message}`);
  } finally {
    button.disabled = false;
  }
}

function init() {
  $("login-form").addEventListener("submit", onLogin);
  $("logout").addEventListener("click", () => {
    auth.clear();
    showLogin("");
  });
  $("namespace").addEventListener("change", (e) => {
    ctx.setNamespace(e.target.value);
    route();
  });
  $("skip").addEventListener("click", (e) => {
    e.preventDefault();
    $("main").focus();
  });
  onUnauthorized(() => {
    auth.clear();
    showLogin("Your session is no longer valid: log in again.");
  });
  window.addEventListener("hashchange", route);
  if (auth.header()) start();
  else showLogin("");
}

init();
