// Deploy / edit a function, checked in the browser with the API's own messages.

import { ApiError, call, json, q } from "../api.js";
import { field, fill, h, setFieldError } from "../dom.js";
import { message, validateDeployment } from "../validate.js";

const P = "com.openfaas.scale.";

/** Label presets for scaling, merged into the labels box. */
const PRESETS = [
  {
    id: "preset-pinned",
    label: "Always one replica",
    labels: { [`${P}min`]: "1", [`${P}max`]: "1" },
    remove: [`${P}zero`, `${P}zero-duration`, "shardless.keepalive"],
  },
  {
    id: "preset-autoscale",
    label: "Autoscale 1–5 on calls in flight",
    labels: { [`${P}min`]: "1", [`${P}max`]: "5", [`${P}type`]: "capacity", [`${P}target`]: "5" },
    remove: [`${P}zero`, `${P}zero-duration`, "shardless.keepalive"],
  },
  {
    id: "preset-zero",
    label: "Scale to zero after 30 s idle",
    labels: {
      [`${P}min`]: "1",
      [`${P}max`]: "5",
      [`${P}type`]: "capacity",
      [`${P}target`]: "5",
      [`${P}zero`]: "true",
      [`${P}zero-duration`]: "30s",
    },
    remove: ["shardless.keepalive"],
  },
  {
    id: "preset-adaptive",
    label: "Adaptive keep-alive",
    labels: { [`${P}zero`]: "true", "shardless.keepalive": "adaptive" },
    remove: [`${P}zero-duration`],
  },
];

/** The form controls and the API field each one's errors belong to. */
const FIELD_OF = {
  service: "f-name",
  namespace: "f-namespace",
  image: "f-image",
  envProcess: "f-command",
  "envVars.mode": "f-mode",
  envVars: "f-env",
  labels: "f-labels",
  secrets: "f-secrets",
};

export function deployView(ctx, editing) {
  const ns = ctx.namespace;
  const form = h("form", { class: "card form", novalidate: true, id: "deploy-form" });
  const summary = h("div", { class: "error", role: "alert", id: "deploy-errors", hidden: true });
  const status = h("p", { class: "message", role: "status", id: "deploy-status" });
  const name = h("input", { autocomplete: "off", spellcheck: "false", readonly: editing ? true : null });
  const namespace = h(
    "select",
    {},
    ctx.namespaces.map((n) => h("option", { value: n, selected: n === ns }, n)),
  );
  const image = h("input", { autocomplete: "off", spellcheck: "false" });
  const command = h("input", { autocomplete: "off", spellcheck: "false" });
  const mode = h(
    "select",
    {},
    h("option", { value: "http" }, "HTTP: the command serves HTTP on $PORT"),
    h("option", { value: "" }, "Classic: one process per request (stdin → stdout)"),
  );
  const env = h("textarea", { rows: 4, spellcheck: "false", placeholder: "max_inflight=10" });
  const labels = h("textarea", {
    rows: 6,
    spellcheck: "false",
    placeholder: `${P}min=1`,
  });
  const secretsBox = h("fieldset", { class: "secrets", id: "f-secrets" }, h("legend", {}, "Secrets"));
  if (editing) namespace.disabled = true;

  const presetButtons = PRESETS.map((p) =>
    h(
      "button",
      { type: "button", id: p.id, onclick: () => applyPreset(p) },
      p.label,
    ),
  );

  function applyPreset(p) {
    const current = parsePairs(labels.value, "=").pairs;
    p.remove.forEach((k) => delete current[k]);
    Object.assign(current, p.labels);
    labels.value = Object.entries(current)
      .map(([k, v]) => `${k}=${v}`)
      .join("\n");
    status.textContent = `Preset "${p.label}" applied to the labels.`;
  }

  async function loadSecrets(selected = []) {
    try {
      const list = await json("GET", `/system/secrets${q({ namespace: namespace.value })}`);
      const boxes = list.map((s) =>
        h(
          "div",
          { class: "check" },
          h("input", {
            type: "checkbox",
            id: `secret-${s.name}`,
            value: s.name,
            checked: selected.includes(s.name),
          }),
          h("label", { for: `secret-${s.name}` }, s.name),
        ),
      );
      fill(
        secretsBox,
        h("legend", {}, "Secrets"),
        boxes.length ? boxes : h("p", { class: "muted" }, "No secrets in this namespace."),
        h("p", { class: "field-error", "data-error-for": "f-secrets" }),
      );
    } catch (e) {
      fill(secretsBox, h("legend", {}, "Secrets"), h("p", { class: "error" }, e.message));
    }
  }

  function body() {
    const envPairs = parsePairs(env.value, "=");
    const labelPairs = parsePairs(labels.value, "=");
    const envVars = { ...envPairs.pairs };
    if (mode.value) envVars.mode = mode.value;
    else delete envVars.mode;
    const d = {
      service: name.value.trim(),
      namespace: namespace.value,
      image: image.value.trim(),
      envProcess: command.value.trim(),
      envVars,
      labels: labelPairs.pairs,
      secrets: [...secretsBox.querySelectorAll("input:checked")].map((c) => c.value),
    };
    return { d, problems: [...envPairs.problems.map((p) => ["envVars", p]), ...labelPairs.problems.map((p) => ["labels", p])] };
  }

  function showErrors(errors) {
    Object.values(FIELD_OF).forEach((id) => setFieldError(form, id, ""));
    const byControl = {};
    for (const [f, m] of errors) {
      const key = FIELD_OF[f] ? f : f.startsWith("labels") ? "labels" : f.startsWith("envVars") ? "envVars" : null;
      if (!key) continue;
      const id = FIELD_OF[key];
      byControl[id] = byControl[id] ? `${byControl[id]}; ${f}: ${m}` : `${f}: ${m}`;
    }
    Object.entries(byControl).forEach(([id, m]) => setFieldError(form, id, m));
    summary.hidden = errors.length === 0;
    fill(summary, errors.length ? [h("p", {}, "Please fix:"), h("ul", {}, errors.map(([f, m]) => h("li", {}, `${f}: ${m}`)))] : []);
  }

  async function submit(event) {
    event.preventDefault();
    status.textContent = "";
    const { d, problems } = body();
    const errors = [...problems, ...validateDeployment(d, requireEnvProcess(ctx))];
    showErrors(errors);
    if (errors.length) {
      const first = form.querySelector("[aria-invalid='true']");
      (first || summary).focus();
      status.textContent = message(errors);
      return;
    }
    try {
      await call(editing ? "PUT" : "POST", "/system/functions", { body: d });
      status.textContent = editing ? `Updated ${d.service}.` : `Deployed ${d.service}.`;
      ctx.setNamespace(d.namespace);
      ctx.go(`#/functions/${encodeURIComponent(d.service)}`);
    } catch (e) {
      const text = e instanceof ApiError ? e.message : String(e);
      summary.hidden = false;
      fill(summary, h("p", {}, `The gateway said: ${text}`));
      summary.focus();
    }
  }

  async function loadExisting() {
    try {
      const f = await json("GET", `/system/function/${encodeURIComponent(editing)}${q({ namespace: ns })}`);
      name.value = f.name;
      image.value = f.image;
      command.value = f.envProcess || "";
      const envVars = { ...(f.envVars || {}) };
      mode.value = envVars.mode === "http" ? "http" : "";
      delete envVars.mode;
      env.value = Object.entries(envVars).map(([k, v]) => `${k}=${v}`).join("\n");
      const l = { ...(f.labels || {}) };
      delete l.faas_function;
      labels.value = Object.entries(l).map(([k, v]) => `${k}=${v}`).join("\n");
      loadSecrets(f.secrets || []);
    } catch (e) {
      summary.hidden = false;
      fill(summary, h("p", {}, e.message));
    }
  }

  namespace.addEventListener("change", () => loadSecrets());
  summary.setAttribute("tabindex", "-1");
  form.addEventListener("submit", submit);
  fill(
    form,
    summary,
    h(
      "div",
      { class: "form-grid" },
      field("f-name", "Name", name, "Lower-case letters, digits and '-', at most 63 characters."),
      field("f-namespace", "Namespace", namespace),
      field("f-image", "Image", image, "Recorded; on Kubernetes the container image."),
      field(
        "f-command",
        "Command",
        command,
        "What runs the function on this node (envProcess), e.g. python3 /srv/hello.py.",
      ),
      field("f-mode", "Mode", mode),
    ),
    field("f-env", "Environment (one NAME=value a line)", env, "For example max_inflight=10 or exec_timeout=30s."),
    h(
      "div",
      { class: "presets", role: "group", "aria-labelledby": "presets-title" },
      h("p", { id: "presets-title", class: "label" }, "Scaling presets"),
      presetButtons,
    ),
    field("f-labels", "Labels (one key=value a line)", labels, "Scaling, keep-alive and retry labels: see the API reference."),
    secretsBox,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", id: "deploy-submit" }, editing ? "Update" : "Deploy")),
    status,
  );
  if (editing) loadExisting();
  else loadSecrets();

  const element = h(
    "section",
    { "aria-labelledby": "deploy-title" },
    h("h1", { id: "deploy-title" }, editing ? `Edit ${editing}` : "Deploy a function"),
    form,
  );
  return { element };
}

function requireEnvProcess(ctx) {
  const orchestration = ctx.info && ctx.info.provider && ctx.info.provider.orchestration;
  return orchestration !== "kubernetes";
}

/** "a=b" lines into an object, with a message for each line without a separator. */
export function parsePairs(text, separator) {
  const pairs = {};
  const problems = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith("#")) return;
    const at = line.indexOf(separator);
    if (at <= 0) {
      problems.push(`line ${i + 1} must look like key${separator}value, was '${line}'`);
      return;
    }
    pairs[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  });
  return { pairs, problems };
}
