// The gateway's checks of a function deployment (FunctionSpecValidator and the keep-alive
// labels), in the browser, with the same field names and messages as the API's 400 answers.

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const P = "com.openfaas.scale.";
const DURATION_PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
const BARE_SECONDS = /^\d+(?:\.\d+)?$/;
const UNIT = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1e3, m: 60e3, h: 3600e3 };

/** Go's time.ParseDuration syntax or bare seconds, as milliseconds; null when invalid. */
export function parseDuration(text) {
  if (text === undefined || text === null) return null;
  const s = String(text).trim();
  if (!s) return null;
  if (BARE_SECONDS.test(s)) return Number(s) * 1000;
  let total = 0;
  DURATION_PART.lastIndex = 0;
  while (DURATION_PART.lastIndex < s.length) {
    const at = DURATION_PART.lastIndex;
    const m = DURATION_PART.exec(s);
    if (!m || m.index !== at) return null;
    total += Number(m[1]) * UNIT[m[2]];
  }
  return total;
}

/** Why a name is not a DNS-1123 label, or null. */
export function nameProblem(s) {
  if (!s) return "is required";
  if (s.length > 63) return `must be at most 63 characters, was ${s.length}`;
  if (!DNS_LABEL.test(s)) {
    return (
      "must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending" +
      ` with a letter or digit), was '${s}'`
    );
  }
  return null;
}

function parseInteger(v) {
  const t = String(v).trim();
  if (!/^[+-]?\d+$/.test(t)) return null;
  const n = Number(t);
  return n > 2147483647 || n < -2147483648 ? null : n;
}

function parseNumber(v) {
  const t = String(v).trim();
  if (!t || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return null;
  return Number(t);
}

/**
 * Every problem with a deployment body, as [field, message] pairs in the API's order.
 * @param requireEnvProcess true on the local platform (the gateway's /system/info says so)
 */
export function validateDeployment(d, requireEnvProcess = true) {
  const errors = [];
  const add = (field, message) => errors.push([field, message]);
  const np = nameProblem(d.service);
  if (np) add("service", np);
  const nsp = nameProblem(d.namespace);
  if (nsp) add("namespace", nsp);
  if (!d.image || !d.image.trim()) add("image", "is required");
  if (requireEnvProcess && (!d.envProcess || !d.envProcess.trim())) {
    add("envProcess", "is required: the command that runs the function locally");
  }
  validateEnv(d.envVars || {}, add);
  validateScaling(d.labels || {}, add);
  validateAsync(d.labels || {}, add);
  validateKeepAlive(d.labels || {}, add, errors);
  return errors;
}

function validateEnv(env, add) {
  const mode = env.mode;
  if (mode && mode.trim() && mode.toLowerCase() !== "http") {
    add("envVars.mode", `must be 'http' or absent (classic mode), was '${mode}'`);
  }
  const mi = env.max_inflight;
  if (mi !== undefined && mi.trim()) {
    const n = parseInteger(mi);
    if (n === null || n < 0) {
      add("envVars.max_inflight", `must be a whole number >= 0 (0 = unlimited), was '${mi}'`);
    }
  }
  for (const key of ["exec_timeout", "write_timeout"]) {
    const v = env[key];
    if (v !== undefined && v.trim() && parseDuration(v) === null) {
      add(
        `envVars.${key}`,
        `must be a duration like '30s', '1m30s' or a number of seconds, was '${v}'`,
      );
    }
  }
}

function intLabel(labels, key, floor, add) {
  const v = labels[key];
  if (v === undefined) return undefined;
  const n = parseInteger(v);
  if (n === null || n < floor) {
    add(`labels.${key}`, `must be a whole number >= ${floor}, was '${v}'`);
    return null;
  }
  return n;
}

function validateScaling(labels, add) {
  const min = intLabel(labels, `${P}min`, 0, add);
  const max = intLabel(labels, `${P}max`, 1, add);
  intLabel(labels, `${P}target`, 1, add);
  if (min !== null && max !== null) {
    const effMin = min === undefined ? 1 : min;
    const effMax = max === undefined ? 20 : max;
    if (effMin > effMax) {
      add(`labels.${P}min`, `must not exceed ${P}max (${effMin} > ${effMax})`);
    }
  }
  const proportion = labels[`${P}target-proportion`];
  if (proportion !== undefined) {
    const p = parseNumber(proportion);
    if (p === null || p <= 0 || p > 1) {
      add(`labels.${P}target-proportion`, `must be a number in (0, 1], was '${proportion}'`);
    }
  }
  const type = labels[`${P}type`];
  if (type !== undefined) {
    const t = type.trim().toLowerCase();
    if (t !== "rps" && t !== "capacity") {
      add(`labels.${P}type`, `must be 'rps' or 'capacity', was '${type}'`);
    }
  }
  const zero = labels[`${P}zero`];
  if (zero !== undefined && !["true", "false"].includes(zero.trim().toLowerCase())) {
    add(`labels.${P}zero`, `must be 'true' or 'false', was '${zero}'`);
  }
  const zd = labels[`${P}zero-duration`];
  if (zd !== undefined && parseDuration(zd) === null) {
    add(`labels.${P}zero-duration`, `must be a duration like '30s' or '15m', was '${zd}'`);
  }
}

function validateAsync(labels, add) {
  intLabel(labels, "com.openfaas.retry.attempts", 1, add);
  intLabel(labels, "shardless.async.max-concurrency", 1, add);
  const min = positiveDuration(labels, "com.openfaas.retry.min_wait", add);
  const max = positiveDuration(labels, "com.openfaas.retry.max_wait", add);
  if (min !== null && max !== null && min > max) {
    add(
      "labels.com.openfaas.retry.min_wait",
      `must not exceed com.openfaas.retry.max_wait (${labels["com.openfaas.retry.min_wait"].trim()}` +
        ` > ${labels["com.openfaas.retry.max_wait"].trim()})`,
    );
  }
}

function positiveDuration(labels, key, add) {
  const v = labels[key];
  if (v === undefined) return null;
  const d = parseDuration(v);
  if (d === null || d === 0) {
    add(`labels.${key}`, `must be a duration > 0 like '500ms' or '2s', was '${v}'`);
    return null;
  }
  return d;
}

function validateKeepAlive(labels, add, errors) {
  const v = labels["shardless.keepalive"];
  const kind = (v === undefined ? "fixed" : v).trim().toLowerCase();
  if (!["fixed", "adaptive", "hybrid"].includes(kind)) {
    const field = "labels.shardless.keepalive";
    if (!errors.some(([f]) => f === field)) {
      add(field, `must be 'fixed', 'adaptive' or 'hybrid', was '${v}'`);
    }
  }
}

/** "a: x; b: y", as the gateway's 400 message. */
export function message(errors) {
  return errors.map(([f, m]) => `${f}: ${m}`).join("; ");
}
