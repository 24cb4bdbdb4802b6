// The sentc-as demo page: plain JavaScript on top of the UMD build (window.Sentc.default).
// Registration goes through the example backend (it holds the secret token); everything else goes from this
// page straight to the sentc API with the public token.

(() => {
  const Sentc = window.Sentc.default;
  const $ = (id) => document.getElementById(id);

  /** @type {any} the logged-in user */
  let user;
  /** @type {any} the open group */
  let group;
  let downloadUrl;

  // ---------- small helpers ----------

  function log(message, error = false) {
    const item = document.createElement("li");
    item.textContent = `${new Date().toLocaleTimeString()} · ${message}`;
    if (error) item.className = "error";
    $("log").prepend(item);
  }

  function setStatus(text, state) {
    $("status").textContent = text;
    $("status").dataset.state = state;
  }

  /** Pretty JSON for the prepare/done panes; long key material is shortened so the structure stays readable. */
  function pretty(text) {
    try {
      return JSON.stringify(
        JSON.parse(text),
        (_key, value) =>
          typeof value === "string" && value.length > 96 ? `${value.slice(0, 60)}… (${value.length} chars)` : value,
        2,
      );
    } catch {
      return text;
    }
  }

  /** Runs an action with its button disabled; errors go to the log. */
  async function run(button, label, action) {
    button.disabled = true;
    try {
      await action();
    } catch (error) {
      const code = error?.code ? ` [${error.code}${error.serverCode ? ` ${error.serverCode}` : ""}]` : "";
      log(`${label} failed${code}: ${error?.message ? error.message : String(error)}`, true);
    } finally {
      button.disabled = false;
      refresh();
    }
  }

  /** Enables what the current state allows. */
  function refresh() {
    const loggedIn = user !== undefined;
    $("logout").disabled = !loggedIn;
    $("create-group").disabled = !loggedIn;
    $("groups").disabled = !loggedIn;
    for (const id of ["invite", "encrypt", "decrypt", "upload", "download"])
      $(id).disabled = !loggedIn || group === undefined;
    $("current-user").textContent = loggedIn ? `${user.userIdentifier} (${user.user_data.user_id})` : "nobody";
    $("current-group").textContent = group ? group.data.group_id : "none";
  }

  function rememberUser(identifier, userId) {
    const table = $("known-users");
    const row = table.tBodies[0].insertRow();
    row.insertCell().textContent = identifier;
    row.insertCell().textContent = userId;
    row.dataset.userId = userId;
    table.hidden = false;
  }

  async function loadGroups() {
    const select = $("groups");
    select.replaceChildren(new Option("—", ""));
    if (!user) return;
    for (const item of await user.getGroups()) select.add(new Option(item.group_id, item.group_id));
    if (group) select.value = group.data.group_id;
  }

  async function openGroup(groupId) {
    group = groupId ? await user.getGroup(groupId) : undefined;
    if (group) log(`Opened group ${groupId}`);
  }

  async function signedIn(next) {
    user = next;
    group = undefined;
    await loadGroups();
  }

  // ---------- 1 · account ----------

  $("account-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const identifier = $("identifier").value.trim();
    const password = $("password").value;
    const button = event.submitter ?? $("login");
    if (button.value === "register") {
      void run(button, "Register", async () => {
        // prepare in the page → the backend adds the secret token → done in the page
        const input = Sentc.prepareRegister(identifier, password);
        $("prepare-json").textContent = pretty(input);
        $("done-json").textContent = "…";
        const answer = await fetch("/api/register", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: input,
        });
        const text = await answer.text();
        $("done-json").textContent = pretty(text);
        const userId = Sentc.doneRegister(text);
        rememberUser(identifier, userId);
        log(`Registered ${identifier} as ${userId}`);
      });
    } else {
      void run(button, "Log in", async () => {
        await signedIn(await Sentc.login(identifier, password, true));
        $("password").value = "";
        log(`Logged in as ${identifier}`);
      });
    }
  });

  $("logout").addEventListener("click", (event) =>
    run(event.currentTarget, "Log out", async () => {
      const name = user.userIdentifier;
      await user.logOut();
      user = undefined;
      group = undefined;
      await loadGroups();
      log(`Logged out ${name}`);
    }),
  );

  // ---------- 2 · group ----------

  $("create-group").addEventListener("click", (event) =>
    run(event.currentTarget, "Create group", async () => {
      const groupId = await user.createGroup();
      group = await user.getGroup(groupId);
      await loadGroups();
      log(`Created group ${groupId}`);
    }),
  );

  $("groups").addEventListener("change", (event) =>
    run(event.currentTarget, "Open group", () => openGroup(event.currentTarget.value)),
  );

  $("invite-form").addEventListener("submit", (event) => {
    event.preventDefault();
    void run($("invite"), "Invite", async () => {
      const userId = $("invite-id").value.trim();
      await group.inviteAuto(userId);
      log(`Invited ${userId} into the group`);
      $("invite-id").value = "";
    });
  });

  // ---------- 3 · text ----------

  $("encrypt").addEventListener("click", (event) =>
    run(event.currentTarget, "Encrypt", async () => {
      $("cipher").value = await group.encryptString($("plain").value);
      $("decrypted").textContent = "";
      log("Encrypted the text for the group");
    }),
  );

  $("decrypt").addEventListener("click", (event) =>
    run(event.currentTarget, "Decrypt", async () => {
      $("decrypted").textContent = await group.decryptString($("cipher").value.trim());
      log("Decrypted the text");
    }),
  );

  // ---------- 4 · files ----------

  $("upload-form").addEventListener("submit", (event) => {
    event.preventDefault();
    void run($("upload"), "Upload", async () => {
      const file = $("file-input").files[0];
      $("upload-progress").value = 0;
      // Small parts so the progress bar moves for small files too (sentc's default part is 4 MiB).
      const out = await group.createFile(file, false, (progress) => ($("upload-progress").value = progress), {
        part_size: 64 * 1024,
      });
      $("file-id").value = out.file_id;
      $("file-result").textContent = `Uploaded ${file.name} (${file.size} bytes) as file ${out.file_id}`;
      log(`Uploaded ${file.name} encrypted`);
    });
  });

  $("download-form").addEventListener("submit", (event) => {
    event.preventDefault();
    void run($("download"), "Download", async () => {
      $("download-progress").value = 0;
      const result = await group.downloadFileData(
        $("file-id").value.trim(),
        undefined,
        (progress) => ($("download-progress").value = progress),
      );
      if (downloadUrl) URL.revokeObjectURL(downloadUrl);
      downloadUrl = URL.createObjectURL(new Blob([result.data]));
      const link = document.createElement("a");
      link.href = downloadUrl;
      link.download = result.file_name ?? "file";
      link.id = "file-link";
      link.textContent = `Save ${result.file_name ?? "file"}`;
      $("file-result").replaceChildren(
        `Decrypted ${result.file_name ?? "a file"} (${result.data.length} bytes). `,
        link,
      );
      log(`Downloaded and decrypted ${result.file_name ?? "a file"}`);
    });
  });

  // ---------- start ----------

  async function start() {
    const config = await (await fetch("demo-config.json")).json();
    const restored = await Sentc.init({ app_token: config.app_token, base_url: config.base_url });
    if (restored) {
      await signedIn(restored);
      log(`Welcome back, ${restored.userIdentifier}`);
    }
    setStatus(`Ready · API ${config.base_url}`, "ready");
    refresh();
  }

  start().catch((error) => {
    setStatus(`Could not start: ${error?.message ? error.message : String(error)}`, "error");
  });
})();
