// The sentc-server dashboard: a small page over the admin API (/admin/v1, see docs/server.md
// "Managing apps"). Plain JavaScript, no build step. The admin token stays in this tab's sessionStorage.
const API = "/admin/v1";
const $ = (id) => document.getElementById(id);
let adminToken = sessionStorage.getItem("sentc-admin-token") || "";
let selected = null; // the app shown in the detail section

function status(text, isError = false) {
  $("status").textContent = text;
  $("status").className = isError ? "error" : "";
}

/** One admin API call; resolves with `result` of sentc's envelope, rejects with its err_msg. */
async function call(method, path, body) {
  const response = await fetch(API + path, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let answer = null;
  try {
    answer = await response.json();
  } catch {
    // not JSON: handled below
  }
  if (response.status === 404 && path === "/apps" && (!answer || answer.err_code === 404))
    throw new Error("The admin API is off: start the server with an admin token.");
  if (!answer?.status) throw new Error(answer?.err_msg || `HTTP ${response.status}`);
  return answer.result;
}

/** Runs an action, showing its outcome in the status line. */
async function act(what, fn) {
  status(`${what}…`);
  try {
    await fn();
    status(`${what}: done`);
  } catch (error) {
    status(`${what}: ${error.message}`, true);
  }
}

function cell(row, text, asCode = false) {
  const td = row.insertCell();
  if (asCode) {
    const code = document.createElement("code");
    code.textContent = text;
    td.append(code);
  } else td.textContent = text;
  return td;
}

async function loadApps() {
  const apps = await call("GET", "/apps");
  const body = $("apps");
  body.replaceChildren();
  for (const app of apps) {
    const row = body.insertRow();
    row.dataset.appId = app.app_id;
    if (selected && selected.app_id === app.app_id) row.classList.add("selected");
    cell(row, app.identifier || "(no identifier)");
    cell(row, app.app_id, true);
    cell(row, app.public_token || "", true);
    cell(row, app.disabled ? "disabled" : "active");
    row.addEventListener("click", () => act("Open app", () => showApp(app.app_id)));
  }
}

function showTokens(appId, publicToken, secretToken) {
  $("shown-app-id").textContent = appId;
  $("shown-public").textContent = publicToken;
  $("shown-secret").textContent = secretToken;
  $("tokens-box").hidden = false;
}

function renderOptions(options) {
  const body = $("options-table").tBodies[0];
  body.replaceChildren();
  for (const [name, value] of Object.entries(options)) {
    const row = body.insertRow();
    row.dataset.option = name;
    cell(row, name);
    for (const level of [0, 1, 2]) {
      const input = document.createElement("input");
      input.type = "radio";
      input.name = `opt-${name}`;
      input.value = String(level);
      input.checked = value === level;
      input.setAttribute("aria-label", `${name}: ${["closed", "public", "secret"][level]}`);
      row.insertCell().append(input);
    }
  }
}

function readOptions() {
  const options = {};
  for (const row of $("options-table").tBodies[0].rows) {
    const checked = row.querySelector("input:checked");
    if (checked) options[row.dataset.option] = Number(checked.value);
  }
  return options;
}

async function loadJwtKeys() {
  const keys = await call("GET", `/apps/${selected.app_id}/jwt`);
  const body = $("jwt-keys");
  body.replaceChildren();
  for (const key of keys) {
    const row = body.insertRow();
    row.dataset.keyId = key.jwt_key_id;
    cell(row, key.jwt_key_id, true);
    cell(row, new Date(key.time).toISOString());
    cell(row, key.verify_key, true);
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "small danger";
    remove.textContent = "Delete";
    remove.addEventListener("click", () =>
      act("Delete JWT key", async () => {
        if (!confirm(`Delete JWT key ${key.jwt_key_id}? JWTs signed with it stop working.`)) return;
        await call("DELETE", `/apps/${selected.app_id}/jwt/${key.jwt_key_id}`);
        await loadJwtKeys();
      }),
    );
    row.insertCell().append(remove);
  }
}

async function showApp(appId) {
  selected = await call("GET", `/apps/${appId}`);
  $("app-detail").hidden = false;
  $("jwt-created").hidden = true;
  $("detail-id").textContent = selected.app_id;
  $("detail-identifier").value = selected.identifier;
  $("toggle-disabled").textContent = selected.disabled ? "Enable app" : "Disable app";
  renderOptions(selected.options);
  $("max-key-rotation-month").value = selected.group_options.max_key_rotation_month;
  $("min-rank-key-rotation").value = selected.group_options.min_rank_key_rotation;
  $("file-storage").value = String(selected.file_options.file_storage);
  $("storage-url").value = selected.file_options.storage_url || "";
  $("storage-auth-token").value = selected.file_options.auth_token || "";
  await loadJwtKeys();
  await loadApps();
}

async function signIn() {
  await loadApps();
  sessionStorage.setItem("sentc-admin-token", adminToken);
  $("sign-in-box").hidden = true;
  $("signed-in").hidden = false;
}

$("sign-in-form").addEventListener("submit", (event) => {
  event.preventDefault();
  adminToken = $("admin-token").value.trim();
  act("Sign in", signIn);
});
$("sign-out").addEventListener("click", () => {
  sessionStorage.removeItem("sentc-admin-token");
  location.reload();
});
$("create-form").addEventListener("submit", (event) => {
  event.preventDefault();
  act("Create app", async () => {
    const created = await call("POST", "/apps", {
      identifier: $("new-identifier").value,
      options: $("new-preset").value,
    });
    showTokens(created.app_id, created.public_token, created.secret_token);
    $("new-identifier").value = "";
    await showApp(created.app_id);
  });
});
for (const button of document.querySelectorAll("button.copy")) {
  button.addEventListener("click", () =>
    act("Copy", () => navigator.clipboard.writeText($(button.dataset.copy).textContent)),
  );
}
$("rename-form").addEventListener("submit", (event) => {
  event.preventDefault();
  act("Rename", async () => {
    await call("PUT", `/apps/${selected.app_id}`, { identifier: $("detail-identifier").value });
    await showApp(selected.app_id);
  });
});
$("renew").addEventListener("click", () =>
  act("Renew tokens", async () => {
    if (!confirm("Renew both tokens? The old ones stop working at once.")) return;
    const tokens = await call("PATCH", `/apps/${selected.app_id}/token_renew`);
    showTokens(selected.app_id, tokens.public_token, tokens.secret_token);
    await loadApps();
  }),
);
$("toggle-disabled").addEventListener("click", () =>
  act(selected.disabled ? "Enable app" : "Disable app", async () => {
    await call("PUT", `/apps/${selected.app_id}`, { disabled: !selected.disabled });
    await showApp(selected.app_id);
  }),
);
$("reset").addEventListener("click", () =>
  act("Reset app", async () => {
    if (!confirm("Delete every user, group, key and file of this app?")) return;
    await call("DELETE", `/apps/${selected.app_id}/reset`);
  }),
);
$("delete").addEventListener("click", () =>
  act("Delete app", async () => {
    if (!confirm("Delete this app with all its data?")) return;
    await call("DELETE", `/apps/${selected.app_id}`);
    selected = null;
    $("app-detail").hidden = true;
    await loadApps();
  }),
);
for (const button of document.querySelectorAll("button.preset")) {
  button.addEventListener("click", () =>
    act(`Preset ${button.dataset.preset}`, async () => {
      renderOptions(await call("PUT", `/apps/${selected.app_id}/options`, button.dataset.preset));
    }),
  );
}
$("save-options").addEventListener("click", () =>
  act("Save options", async () => {
    renderOptions(await call("PUT", `/apps/${selected.app_id}/options`, readOptions()));
  }),
);
$("more-options-form").addEventListener("submit", (event) => {
  event.preventDefault();
  act("Save group and file options", async () => {
    await call("PUT", `/apps/${selected.app_id}/group_options`, {
      max_key_rotation_month: Number($("max-key-rotation-month").value),
      min_rank_key_rotation: Number($("min-rank-key-rotation").value),
    });
    await call("PUT", `/apps/${selected.app_id}/file_options`, {
      file_storage: Number($("file-storage").value),
      storage_url: $("storage-url").value || null,
      auth_token: $("storage-auth-token").value || null,
    });
    await showApp(selected.app_id);
  });
});
$("jwt-add").addEventListener("click", () =>
  act("New JWT key", async () => {
    const key = await call("PATCH", `/apps/${selected.app_id}/new_jwt_keys`);
    await loadJwtKeys();
    $("jwt-sign-key").textContent = key.jwt_sign_key;
    $("jwt-created").hidden = false;
  }),
);

if (adminToken) act("Sign in", signIn);
