// Secrets of the namespace: names only (no call ever returns a value); create and delete.

import { call, json, q } from "../api.js";
import { field, fill, h } from "../dom.js";

const SECRET_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export function secretsView(ctx) {
  const ns = ctx.namespace;
  const list = h("div", { id: "secrets-list" }, h("p", { class: "muted" }, "Loading…"));
  const status = h("p", { class: "message", role: "status", id: "secrets-status" });
  const name = h("input", { autocomplete: "off", spellcheck: "false" });
  const value = h("input", { type: "password", autocomplete: "new-password" });
  const form = h("form", { class: "card form", novalidate: true, id: "secret-form" });

  async function load() {
    try {
      const secrets = await json("GET", `/system/secrets${q({ namespace: ns })}`);
      fill(
        list,
        secrets.length
          ? h(
              "ul",
              { class: "plain" },
              secrets.map((s) =>
                h(
                  "li",
                  { "data-secret": s.name },
                  h("code", {}, s.name),
                  h(
                    "button",
                    {
                      type: "button",
                      class: "danger small",
                      "aria-label": `Delete secret ${s.name}`,
                      onclick: () => remove(s.name),
                    },
                    "Delete",
                  ),
                ),
              ),
            )
          : h("p", { class: "empty" }, `No secrets in namespace ${ns}.`),
      );
    } catch (e) {
      fill(list, h("p", { class: "error", role: "alert" }, e.message));
    }
  }

  async function remove(secret) {
    if (!window.confirm(`Delete secret ${secret}?`)) return;
    try {
      await call("DELETE", "/system/secrets", { body: { name: secret, namespace: ns } });
      status.textContent = `Deleted ${secret}.`;
    } catch (e) {
      status.textContent = e.message;
    }
    load();
  }

  async function create(event) {
    event.preventDefault();
    const n = name.value.trim();
    let problem = null;
    if (!n) problem = "name: is required";
    else if (n.length > 253 || !SECRET_NAME.test(n)) {
      problem = `name: must be lower-case letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters, was '${n}'`;
    }
    if (problem) {
      status.textContent = problem;
      name.setAttribute("aria-invalid", "true");
      name.focus();
      return;
    }
    name.removeAttribute("aria-invalid");
    try {
      await call("POST", "/system/secrets", { body: { name: n, namespace: ns, value: value.value } });
      status.textContent = `Created ${n}.`;
      name.value = "";
      value.value = "";
    } catch (e) {
      status.textContent = e.message;
    }
    load();
  }

  form.addEventListener("submit", create);
  fill(
    form,
    h("h2", {}, "New secret"),
    h(
      "div",
      { class: "form-grid" },
      field("s-name", "Name", name),
      field("s-value", "Value", value, "Stored encrypted; never shown again."),
    ),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Create")),
    status,
  );
  load();
  const element = h(
    "section",
    { "aria-labelledby": "secrets-title" },
    h("h1", { id: "secrets-title" }, "Secrets"),
    h("p", { class: "muted" }, `Namespace ${ns}. Functions read them as files under /var/openfaas/secrets/.`),
    h("div", { class: "card" }, list),
    form,
  );
  return { element };
}
