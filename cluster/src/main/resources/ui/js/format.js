// Numbers and labels in words.

export function number(v, digits = 1) {
  if (v === undefined || v === null || Number.isNaN(v)) return "–";
  return Number(v).toLocaleString("en", { maximumFractionDigits: digits });
}

export function millis(v) {
  if (!v) return "–";
  return v >= 1000 ? `${number(v / 1000, 2)} s` : `${number(v, v < 10 ? 2 : 0)} ms`;
}

export function percent(v) {
  if (!v) return "0%";
  return `${number(v * 100, v < 0.01 ? 2 : 1)}%`;
}

export function age(ms) {
  if (ms < 0) ms = 0;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

export function clock(epochMillis) {
  return new Date(epochMillis).toLocaleTimeString("en-GB", { hour12: false });
}

const P = "com.openfaas.scale.";

/** What each known label means, in words; unknown labels are kept as given. */
export function explainLabels(labels) {
  const l = labels || {};
  const type = (l[`${P}type`] || "rps").toLowerCase();
  const min = l[`${P}min`];
  const max = l[`${P}max`];
  const out = [];
  for (const [key, value] of Object.entries(l).sort(([a], [b]) => a.localeCompare(b))) {
    out.push({ key, value, text: explainLabel(key, value, { type, min, max }) });
  }
  if (min !== undefined && max !== undefined && min === max) {
    out.unshift({
      key: "(min = max)",
      value: min,
      text: `Pinned at ${min} replica${min === "1" ? "" : "s"}: no autoscaling and no idling to zero.`,
    });
  }
  return out;
}

function explainLabel(key, value, { type }) {
  switch (key) {
    case "faas_function":
      return "Set by the gateway: the function's name.";
    case `${P}min`:
      return `Starts ${value} replica(s) on deploy; the autoscaler keeps at least ${value} while the function has replicas.`;
    case `${P}max`:
      return `Never more than ${value} replica(s), for the autoscaler and for manual scaling.`;
    case `${P}target`:
      return type === "capacity"
        ? `Each replica should carry about ${value} call(s) in flight.`
        : `Each replica should serve about ${value} request(s) per second.`;
    case `${P}target-proportion`:
      return `The autoscaler aims at ${Math.round(Number(value) * 100)}% of the target, leaving headroom.`;
    case `${P}type`:
      return value.toLowerCase() === "capacity"
        ? "Scales on calls in flight plus calls waiting for a replica."
        : "Scales on completed requests per second plus calls waiting for a replica.";
    case `${P}zero`:
      return value.toLowerCase() === "true"
        ? "May go to zero replicas when idle; the next call starts one again (a cold start)."
        : "Never goes to zero replicas by itself.";
    case `${P}zero-duration`:
      return `Idle time before going to zero: ${value}.`;
    case "shardless.keepalive":
      return (
        {
          fixed: "Keep-alive: goes to zero after the fixed idle time (zero-duration).",
          adaptive:
            "Keep-alive: learns this function's idle times, may unload early and pre-warm one replica before the next expected call.",
          hybrid: "Keep-alive: the Serverless-in-the-Wild histogram policy.",
        }[value.toLowerCase()] || "Unknown keep-alive policy."
      );
    case "com.openfaas.retry.attempts":
      return `Async jobs get ${value} attempt(s) in all; then they are dead-lettered.`;
    case "com.openfaas.retry.min_wait":
      return `Async retries wait ${value} before the second attempt, doubling each time.`;
    case "com.openfaas.retry.max_wait":
      return `Async retries never wait longer than ${value}.`;
    case "shardless.async.max-concurrency":
      return `At most ${value} async job(s) run at once.`;
    default:
      return "Kept as given; Shardless does not read it.";
  }
}

/** What each environment variable Shardless reads means. */
export function explainEnv(key, value) {
  switch (key) {
    case "mode":
      return value.toLowerCase() === "http"
        ? "HTTP mode: the command serves HTTP on $PORT and stays running."
        : "Unknown mode.";
    case "max_inflight":
      return value === "0"
        ? "Each replica takes any number of calls at once."
        : `Each replica takes ${value} call(s) at once; more wait in the function's buffer.`;
    case "exec_timeout":
    case "write_timeout":
      return `A call may take up to ${value}.`;
    case "content_type":
      return `Classic mode answers with Content-Type ${value}.`;
    default:
      return "Passed to the function.";
  }
}
