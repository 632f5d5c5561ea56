// Talks to the gateway: the /system API with the user's basic-auth credentials, and the live
// Server-Sent Events stream read with fetch (EventSource cannot send an Authorization header).

const KEY = "shardless.credentials";

/** Thrown for an answer that is not 2xx; `status` and the gateway's plain-text `message`. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export const auth = {
  /** The stored `Basic …` value, or null when logged out. */
  header() {
    return sessionStorage.getItem(KEY);
  },
  user() {
    const h = this.header();
    if (!h) return null;
    try {
      return atob(h.slice(6)).split(":")[0];
    } catch {
      return null;
    }
  },
  save(user, password) {
    sessionStorage.setItem(KEY, basic(user, password));
  },
  clear() {
    sessionStorage.removeItem(KEY);
  },
};

/** Listeners told when a call answered 401 (the credentials are no longer good). */
const unauthorizedListeners = new Set();
export function onUnauthorized(listener) {
  unauthorizedListeners.add(listener);
}

function headers(extra = {}) {
  // X-Requested-With makes the gateway leave out WWW-Authenticate on a 401, so the browser never
  // shows its own login dialog over the page's form.
  const h = { "X-Requested-With": "shardless-ui", ...extra };
  const a = auth.header();
  if (a) h.Authorization = a;
  return h;
}

/** A /system call; resolves to the Response (2xx), rejects with ApiError otherwise. */
export async function call(method, path, { body, signal, quiet401 = false } = {}) {
  const init = { method, headers: headers(), signal };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  const r = await fetch(path, init);
  if (!r.ok) {
    const text = (await r.text()).trim();
    if (r.status === 401 && !quiet401) unauthorizedListeners.forEach((l) => l());
    throw new ApiError(r.status, text || `${r.status} ${r.statusText}`);
  }
  return r;
}

export async function json(method, path, opts) {
  const r = await call(method, path, opts);
  return r.json();
}

export function q(params) {
  const s = new URLSearchParams();
  Object.entries(params).forEach(([k, v]) => {
    if (v !== undefined && v !== null && v !== "") s.set(k, v);
  });
  const text = s.toString();
  return text ? `?${text}` : "";
}

/** The Authorization value for basic auth, UTF-8 safe. */
function basic(user, password) {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let binary = "";
  bytes.forEach((b) => (binary += String.fromCharCode(b)));
  return `Basic ${btoa(binary)}`;
}

/** Checks credentials without storing them: true when /system/info accepts them. */
export async function tryLogin(user, password) {
  const r = await fetch("/system/info", {
    headers: { "X-Requested-With": "shardless-ui", Authorization: basic(user, password) },
  });
  if (r.status === 401) return false;
  if (!r.ok) throw new ApiError(r.status, (await r.text()).trim());
  return true;
}

/**
 * Reads newline-delimited text from a fetch Response, calling onLine for each complete line, until
 * the body ends or the signal aborts.
 */
export async function readLines(response, onLine) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffered += decoder.decode(value, { stream: true });
    let nl;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      onLine(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
    }
  }
  if (buffered) onLine(buffered);
}

/**
 * The gateway's live feed (GET /system/ui/events) for one namespace: one stream per page,
 * reconnecting with a growing delay when the node goes away. `onEvent(type, data)` gets each
 * parsed `history` (first) and `functions` (each second) event; `onState(state)` gets
 * "connecting", "live" or "retrying".
 */
export class LiveStream {
  constructor(onEvent, onState) {
    this.onEvent = onEvent;
    this.onState = onState;
    this.namespace = null;
    this.controller = null;
    this.retryTimer = null;
    this.watchdog = null;
    this.failures = 0;
  }

  open(namespace) {
    this.close();
    this.namespace = namespace;
    this.connect();
  }

  close() {
    clearTimeout(this.retryTimer);
    clearTimeout(this.watchdog);
    if (this.controller) this.controller.abort();
    this.controller = null;
  }

  async connect() {
    const controller = new AbortController();
    this.controller = controller;
    this.onState(this.failures === 0 ? "connecting" : "retrying");
    this.kick(controller);
    try {
      const r = await call("GET", `/system/ui/events${q({ namespace: this.namespace })}`, {
        signal: controller.signal,
      });
      let event = "message";
      let data = "";
      await readLines(r, (line) => {
        this.kick(controller);
        if (line === "") {
          if (data && (event === "functions" || event === "history")) {
            this.failures = 0;
            this.onState("live");
            this.onEvent(event, JSON.parse(data));
          }
          event = "message";
          data = "";
        } else if (line.startsWith("event:")) {
          event = line.slice(6).trim();
        } else if (line.startsWith("data:")) {
          data += line.slice(5).trim();
        }
      });
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return;
    }
    if (this.controller !== controller) return; // closed or reopened meanwhile
    this.failures++;
    this.onState("retrying");
    clearTimeout(this.watchdog);
    const delay = Math.min(5000, 500 * 2 ** Math.min(this.failures, 4));
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  /** Every line restarts a 5 s watchdog: the gateway sends an event each second. */
  kick(controller) {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => controller.abort(), 5000);
  }
}
