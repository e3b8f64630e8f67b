// API keys in the operator console, in Chromium against the real relay: an admin creates a key,
// sees it once and copies it, the key works on the REST API within its scope and its last use
// shows in the list; revoked, it stops at once. The relay's refusals show in the form; the
// section speaks the operator's language; operators who are not admins see no keys.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { OPERATOR, addAdmin, launch, operatorApi, startRelay } from "./support.mjs";

const EVA = { email: "eva@shop.example", password: "admin horse battery", name: "Eva" };

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser.close();
});

async function setUp(t) {
  const relay = await startRelay();
  addAdmin(relay, EVA);
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  t.after(async () => {
    await context.close();
    await relay.stop();
    relay.cleanup();
  });
  return { relay, context };
}

async function openSettings(context, relay, who, region) {
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (error) => page.errors.push(error.message));
  await page.goto(`${relay.url}/console/`);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: region.settings ?? "Settings" }).click();
  await page.getByRole("region", { name: region.name }).waitFor();
  return page;
}

/** The REST API with a key as the bearer token. */
async function withKey(relay, key, method, path, body) {
  const response = await fetch(`${relay.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return response.status;
}

test("an admin creates a key, sees it once, and revokes it", async (t) => {
  const { relay, context } = await setUp(t);
  const page = await openSettings(context, relay, EVA, { name: "API keys" });
  const section = page.getByRole("region", { name: "API keys" });
  const form = section.getByRole("form", { name: "New API key" });

  // The relay's refusal of an unknown site shows in the form; nothing is created.
  await form.getByLabel("Name").fill("Nowhere");
  await form.getByLabel("Site (empty: every site)").fill("nowhere");
  await form.getByRole("button", { name: "Create key" }).click();
  await form.getByRole("alert").getByText("site not found").waitFor();
  assert.equal(await section.locator("tbody tr").count(), 0);

  await form.getByLabel("Site (empty: every site)").fill("");
  await form.getByLabel("Name").fill("CRM");
  await form.getByRole("button", { name: "Create key" }).click();
  await form.getByRole("status").getByText("Key created.").waitFor();
  const shown = section.getByRole("textbox", { name: "The new key, shown this once — copy it now" });
  const key = await shown.inputValue();
  assert.match(key, /^bsk_[0-9a-f]{64}$/);

  const row = section.getByRole("row").filter({ hasText: "CRM" });
  await row.waitFor();
  const cells = await row.locator("td").allTextContents();
  assert.deepEqual(cells.slice(0, 6), ["CRM", `${key.slice(0, 12)}…`, "Read only", "All sites", "Eva", "Never"]);

  // The key reads, does not write, and its use shows after a reload.
  assert.equal(await withKey(relay, key, "GET", "/api/conversations"), 200);
  assert.equal(await withKey(relay, key, "PUT", "/api/settings", { maxChatsPerOperator: 2 }), 403);
  await section.getByRole("button", { name: "Dismiss" }).click();
  assert.equal(await shown.count(), 0, "the key is gone from the page once dismissed");
  await page.reload();
  await page.getByRole("button", { name: "Settings" }).click();
  const used = page.getByRole("region", { name: "API keys" }).getByRole("row").filter({ hasText: "CRM" });
  await used.waitFor();
  assert.notEqual((await used.locator("td").allTextContents())[5], "Never");
  assert.ok(!(await page.content()).includes(key), "the key is never shown again");

  await used.getByRole("button", { name: "Revoke key CRM" }).click();
  await page.getByRole("region", { name: "API keys" }).getByRole("status").getByText("Key revoked: it no longer works.").waitFor();
  assert.equal(await withKey(relay, key, "GET", "/api/conversations"), 401);
  assert.equal(await page.getByRole("region", { name: "API keys" }).locator("tbody tr").count(), 0);
  assert.deepEqual(page.errors, []);
});

test("a read-write key for one site, made in Czech", async (t) => {
  const { relay, context } = await setUp(t);
  const eva = await operatorApi(relay, EVA);
  assert.equal((await eva.call("PUT", "/api/me", { language: "cs" })).status, 200);
  const page = await openSettings(context, relay, EVA, { settings: "Nastavení", name: "API klíče" });
  const section = page.getByRole("region", { name: "API klíče" });
  const form = section.getByRole("form", { name: "Nový API klíč" });
  await form.getByLabel("Název", { exact: true }).fill("Objednávky");
  await form.getByLabel("Čtení i zápis").check();
  await form.getByLabel("Web (prázdné: všechny weby)").fill("demo");
  await form.getByRole("button", { name: "Vytvořit klíč" }).click();
  await form.getByRole("status").getByText("Klíč vytvořen.").waitFor();
  const key = await section.getByRole("textbox", { name: "Nový klíč, zobrazený jen teď — zkopírujte si ho" }).inputValue();
  const cells = await section.getByRole("row").filter({ hasText: "Objednávky" }).locator("td").allTextContents();
  assert.deepEqual(cells.slice(2, 4), ["Čtení i zápis", "demo"]);
  assert.equal(await withKey(relay, key, "GET", "/api/conversations?site=demo"), 200);
  assert.equal(await withKey(relay, key, "GET", "/api/conversations"), 403);
  assert.equal(await withKey(relay, key, "PUT", "/api/sites/demo", { title: "Horská bunda", autoMessageDelaySecs: 45, ratingEnabled: true }), 200);
  assert.deepEqual(page.errors, []);
});

test("an operator who is not an admin sees no keys", async (t) => {
  const { relay, context } = await setUp(t);
  const page = await openSettings(context, relay, OPERATOR, { name: "Prompts" });
  assert.equal(await page.getByRole("region", { name: "API keys" }).count(), 0);
});
