// Proactive prompts in the operator console, in Chromium against the real relay: an admin adds,
// edits and deletes a prompt through the form and sees the relay's refusals; after widgets'
// reports, the results per variant with their significance in words. Operators who are not
// admins see the prompts and their results, but no form.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { OPERATOR, addAdmin, launch, operatorApi, startRelay } from "./support.mjs";

const EVA = { email: "eva@shop.example", password: "admin horse battery", name: "Eva" };
/** The shop whose pages the widget's reports come from. */
const SHOP = "https://shop.example";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser.close();
});

/** A relay with an admin, and a browser profile; both go when the test ends. */
async function setUp(t) {
  // Hundreds of reports from one address within a minute, as a busy shop behind one proxy sends.
  const relay = await startRelay({ args: ["--prompt-events-per-minute", "1000"] });
  addAdmin(relay, EVA);
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  t.after(async () => {
    await context.close();
    await relay.stop();
    relay.cleanup();
  });
  return { relay, context, api: await operatorApi(relay, EVA) };
}

/** Signs in through the console's form and opens Settings. */
async function openSettings(context, relay, who) {
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (error) => page.errors.push(error.message));
  await page.goto(`${relay.url}/console/`);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Settings" }).click();
  await page.getByRole("region", { name: "Prompts" }).waitFor();
  return page;
}

/** A widget's report from the shop: POST /visitor/prompts/{id}/events with the view id that
 *  GET /visitor/prompts signed for a page view of its own; the response. */
async function send(relay, id, variant, event, total) {
  const read = await fetch(`${relay.url}/visitor/prompts?site=demo`, { headers: { origin: SHOP } });
  assert.equal(read.status, 200);
  const { views } = (await read.json()).prompts.find((prompt) => prompt.id === id);
  return fetch(`${relay.url}/visitor/prompts/${id}/events`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: SHOP },
    body: JSON.stringify({ site: "demo", variant, event, view: views[variant], ...(total === undefined ? {} : { total }) }),
  });
}

/** What widgets report, `count` times, each from a page view of its own. */
async function report(relay, id, variant, event, count, total) {
  for (let sent = 0; sent < count; sent += 1) {
    const response = await send(relay, id, variant, event, total);
    assert.equal(response.status, 204, `${event} of variant ${variant}: ${await response.text()}`);
  }
}

/** The prompts table's row of the prompt named `name`. */
const promptRow = (section, name) =>
  section.getByRole("row").filter({ has: section.page().getByRole("cell", { name, exact: true }) });

/** The cells (after the row's header) of each row of a results table. */
async function resultRows(table) {
  const rows = await table.locator("tbody tr").all();
  return Promise.all(rows.map(async (row) => [await row.locator("th").textContent(), ...(await row.locator("td").allTextContents())]));
}

test("an admin adds, edits and deletes a prompt, sees refusals, and reads its results per variant", async (t) => {
  const { relay, context, api } = await setUp(t);
  const console = await openSettings(context, relay, EVA);
  const section = console.getByRole("region", { name: "Prompts" });
  const form = console.getByRole("form", { name: "Prompt" });

  // A new prompt starts from the defaults, for the first of the relay's sites.
  await form.getByLabel("Site").locator("option", { hasText: "demo" }).waitFor({ state: "attached" });
  assert.deepEqual(await form.getByLabel("Site").locator("option").allTextContents(), ["default (Shop)", "demo (Horská bunda)"]);
  assert.equal(await form.getByLabel("Site").inputValue(), "default");
  assert.equal(await form.getByLabel("Dismissed for days").inputValue(), "7");
  assert.equal(await form.getByLabel("Shows per visit").inputValue(), "1");
  assert.equal(await form.getByLabel("Enabled").isChecked(), true);
  assert.equal(await form.getByLabel("Visitors").inputValue(), "all");

  await form.getByLabel("Site").selectOption("demo");
  await form.getByLabel("Name").fill("Jackets");
  await form.getByLabel("Variants").fill("Can I help you choose a size?\n2 | Looking for a jacket? Ask us.");
  await form.getByLabel("URL pattern").fill("/products/*");
  await form.getByLabel("Seconds on page").fill("20");
  await form.getByLabel("Exit intent").check();
  await form.getByLabel("Visitors").selectOption("returning");
  await form.getByRole("button", { name: "Add prompt" }).click();
  await form.getByRole("status").getByText("Prompt saved.").waitFor();

  const row = promptRow(section, "Jackets");
  await row.waitFor();
  assert.deepEqual(await row.getByRole("listitem").allTextContents(), [
    "A: Can I help you choose a size? (weight 1)",
    "B: Looking for a jacket? Ask us. (weight 2)",
  ]);
  await row.getByRole("cell", { name: "on /products/*, after 20 s on the page, when leaving (exit intent), returning visitors only", exact: true }).waitFor();
  await row.getByRole("cell", { name: "7 days", exact: true }).waitFor();
  await row.getByRole("cell", { name: "Yes", exact: true }).waitFor();
  let [stored] = (await api.call("GET", "/api/prompts")).body;
  assert.equal(stored.site, "demo");
  assert.deepEqual(stored.variants, [
    { text: "Can I help you choose a size?", weight: 1 },
    { text: "Looking for a jacket? Ask us.", weight: 2 },
  ]);
  assert.deepEqual(stored.trigger, { urlPattern: "/products/*", secondsOnPage: 20, exitIntent: true, returningVisitor: true });
  assert.equal(stored.dismissForDays, 7);
  assert.equal(stored.maxPerSession, 1);
  assert.equal(stored.enabled, true);
  // The form is empty again for the next prompt.
  assert.equal(await form.getByLabel("Name").inputValue(), "");

  // Editing fills the form with the prompt as stored; saving changes it in place.
  await section.getByRole("button", { name: "Edit prompt Jackets" }).click();
  assert.equal(await form.getByLabel("Name").inputValue(), "Jackets");
  assert.equal(await form.getByLabel("Variants").inputValue(), "Can I help you choose a size?\n2 | Looking for a jacket? Ask us.");
  assert.equal(await form.getByLabel("URL pattern").inputValue(), "/products/*");
  assert.equal(await form.getByLabel("Seconds on page").inputValue(), "20");
  assert.equal(await form.getByLabel("Exit intent").isChecked(), true);
  assert.equal(await form.getByLabel("Visitors").inputValue(), "returning");
  await form.getByLabel("Variants").fill("Can I help you choose a size?\n2 | Looking for a jacket? Ask us.\nNeed a hand with sizes?");
  await form.getByLabel("Exit intent").uncheck();
  await form.getByLabel("Pages viewed this visit").fill("2");
  await form.getByLabel("Seconds on matching pages").fill("45");
  await form.getByLabel("Cart total at least").fill("1499,50");
  await form.getByLabel("Visitors").selectOption("all");
  await form.getByLabel("Dismissed for days").fill("14");
  await form.getByLabel("Shows per visit").fill("2");
  await form.getByRole("button", { name: "Save prompt" }).click();
  await form.getByRole("button", { name: "Add prompt" }).waitFor();
  await row.getByRole("cell", { name: "14 days", exact: true }).waitFor();
  await row.getByRole("cell", { name: "on /products/*, after 20 s on the page, from page 2 of a visit, after 45 s on matching pages, cart at least 1499.50", exact: true }).waitFor();
  assert.equal(await row.getByRole("listitem").count(), 3);
  [stored] = (await api.call("GET", "/api/prompts")).body;
  assert.deepEqual(stored.trigger, { urlPattern: "/products/*", secondsOnPage: 20, minPagesViewed: 2, minDwellSeconds: 45, cartMinTotal: 1499.5 });
  assert.equal(stored.variants.length, 3);
  assert.equal(stored.dismissForDays, 14);
  assert.equal(stored.maxPerSession, 2);

  // Refusals: the relay's (a weight of 0) and the form's own (a weight that is no number), each
  // shown in the form; nothing changes.
  const before = (await api.call("GET", "/api/prompts")).body;
  await section.getByRole("button", { name: "Edit prompt Jackets" }).click();
  await form.getByLabel("Variants").fill("0 | Can I help you choose a size?\nLooking for a jacket? Ask us.");
  await form.getByRole("button", { name: "Save prompt" }).click();
  await form.getByRole("alert").getByText("a variant's weight lies above 0 and at most 1000").waitFor();
  await form.getByLabel("Variants").fill("many | Can I help you choose a size?");
  await form.getByRole("button", { name: "Save prompt" }).click();
  await form.getByRole("alert").getByText("Variants, line 1: before \"|\" comes the variant's weight", { exact: false }).waitFor();
  await form.getByLabel("Dismissed for days").fill("400");
  await form.getByLabel("Variants").fill("Can I help you choose a size?");
  await form.getByRole("button", { name: "Save prompt" }).click();
  await form.getByRole("alert").getByText("dismissForDays lies between 0 and 365").waitFor();
  assert.deepEqual((await api.call("GET", "/api/prompts")).body, before);
  assert.equal(await row.getByRole("listitem").count(), 3);
  await form.getByRole("button", { name: "Cancel" }).click();
  assert.equal(await form.getByLabel("Name").inputValue(), "");
  assert.equal(await form.getByLabel("Dismissed for days").inputValue(), "7");
  await form.getByRole("button", { name: "Add prompt" }).waitFor();

  // Results before any report: zeros, and no verdict yet.
  const id = stored.id;
  await section.getByRole("button", { name: "Results for Jackets" }).click();
  const results = section.getByRole("table", { name: "Results for Jackets" });
  await results.getByText("B vs A: not enough data yet").waitFor();
  assert.deepEqual(await resultRows(results), [
    ["A Can I help you choose a size?", "0", "0", "0", "0", "0.0%", "0", "0", "Baseline"],
    ["B Looking for a jacket? Ask us.", "0", "0", "0", "0", "0.0%", "0", "0", "B vs A: not enough data yet"],
    ["C Need a hand with sizes?", "0", "0", "0", "0", "0.0%", "0", "0", "C vs A: not enough data yet"],
  ]);

  // Widgets report: B turns 20 of 40 shows into conversations, A 8 of 40, C 10 of 40.
  await report(relay, id, 0, "shown", 40);
  await report(relay, id, 0, "dismissed", 25);
  await report(relay, id, 0, "opened", 10);
  await report(relay, id, 0, "conversation", 8);
  await report(relay, id, 0, "order", 1, 1000);
  await report(relay, id, 0, "order", 1, 1490.5);
  await report(relay, id, 1, "shown", 40);
  await report(relay, id, 1, "dismissed", 12);
  await report(relay, id, 1, "opened", 24);
  await report(relay, id, 1, "conversation", 20);
  await report(relay, id, 1, "order", 5, 1000);
  await report(relay, id, 2, "shown", 40);
  await report(relay, id, 2, "conversation", 10);
  await section.getByRole("button", { name: "Refresh results" }).click();
  await results.getByText("B vs A: +30.0 points, p = 0.005 — very likely a real difference").waitFor();
  assert.deepEqual(await resultRows(results), [
    ["A Can I help you choose a size?", "40", "25", "10", "8", "20.0%", "2", "2490.50", "Baseline"],
    ["B Looking for a jacket? Ask us.", "40", "12", "24", "20", "50.0%", "5", "5000", "B vs A: +30.0 points, p = 0.005 — very likely a real difference"],
    ["C Need a hand with sizes?", "40", "0", "0", "10", "25.0%", "0", "0", "C vs A: +5.0 points, p = 0.59 — could be chance, keep testing"],
  ]);
  // The figures are the relay's.
  const stats = (await api.call("GET", `/api/prompts/${id}/stats`)).body;
  assert.deepEqual(stats.variants.map((variant) => [variant.shown, variant.conversations, variant.orders]), [[40, 8, 2], [40, 20, 5], [40, 10, 0]]);
  assert.ok(stats.variants[1].pValue < 0.01 && stats.variants[2].pValue > 0.5);

  // Deleting takes the prompt, its figures and its open results away.
  await section.getByRole("button", { name: "Delete prompt Jackets" }).click();
  await form.getByRole("status").getByText("Prompt deleted.").waitFor();
  await row.waitFor({ state: "detached" });
  await results.waitFor({ state: "detached" });
  assert.deepEqual((await api.call("GET", "/api/prompts")).body, []);
  assert.equal((await api.call("GET", `/api/prompts/${id}/stats`)).status, 404);
  assert.deepEqual(console.errors, []);
});

test("an operator who is not an admin sees the prompts and their results but cannot change them", async (t) => {
  const { relay, context, api } = await setUp(t);
  const created = await api.call("POST", "/api/prompts", {
    site: "demo",
    name: "Sizes",
    variants: [{ text: "Not sure about the size?", weight: 1 }, { text: "Ask us about sizes", weight: 1 }],
    trigger: { secondsOnPage: 30 },
  });
  assert.equal(created.status, 201);
  await report(relay, created.body.id, 0, "shown", 3);
  await report(relay, created.body.id, 1, "shown", 3);
  await report(relay, created.body.id, 1, "conversation", 3);

  const console = await openSettings(context, relay, OPERATOR);
  const section = console.getByRole("region", { name: "Prompts" });
  const row = promptRow(section, "Sizes");
  await row.getByRole("cell", { name: "after 30 s on the page", exact: true }).waitFor();
  await section.getByRole("button", { name: "Results for Sizes" }).click();
  const results = section.getByRole("table", { name: "Results for Sizes" });
  // 0 of 3 against 3 of 3 is a large gap, but six shows prove nothing yet.
  await results.getByText("B vs A: +100.0 points so far — not enough data yet, keep testing").waitFor();
  assert.equal(await section.getByRole("button", { name: /^(Edit|Delete) prompt/ }).count(), 0);
  assert.equal(await console.getByRole("form", { name: "Prompt" }).count(), 0);
  await section.getByRole("button", { name: "Close results" }).click();
  await results.waitFor({ state: "detached" });
  assert.deepEqual(console.errors, []);
});

test("the results stay readable after absurd totals were sent and with damaged totals in the database", async (t) => {
  const { relay, context, api } = await setUp(t);
  const created = await api.call("POST", "/api/prompts", {
    site: "demo",
    name: "Totals",
    variants: [{ text: "Need help?", weight: 1 }, { text: "Questions?", weight: 1 }],
  });
  assert.equal(created.status, 201);
  const id = created.body.id;
  await report(relay, id, 0, "shown", 2);
  await report(relay, id, 0, "order", 1, 100);
  // Two orders of 1.7e308 would add up to infinity: each is refused and counts nothing.
  for (const total of [1.7e308, 1.7e308, -1]) {
    const response = await send(relay, id, 1, "order", total);
    assert.equal(response.status, 400);
    assert.equal((await response.json()).error.code, "bad_request");
  }
  // Totals no report could have made, written straight into the database file.
  const damage = spawnSync("python3", ["-c", `
import sqlite3, sys
database = sqlite3.connect(sys.argv[1], timeout=10)
rows = [(0, 1, 1.7e308), (0, 2, 1.7e308), (1, 3, float("inf"))]
database.executemany("INSERT INTO prompt_counts (prompt_id, variant, event, day, count, total) VALUES (?, ?, 'order', ?, 1, ?)",
                     [(int(sys.argv[2]), variant, day, total) for variant, day, total in rows])
database.commit()
`, join(relay.directory, "beseda.db"), String(id)], { encoding: "utf8" });
  assert.equal(damage.status, 0, damage.stderr);

  const stats = (await api.call("GET", `/api/prompts/${id}/stats`)).body;
  assert.deepEqual(stats.variants.map((variant) => [variant.orders, variant.orderTotal]), [[3, 100], [1, 0]]);
  const console = await openSettings(context, relay, EVA);
  const section = console.getByRole("region", { name: "Prompts" });
  await section.getByRole("button", { name: "Results for Totals" }).click();
  const results = section.getByRole("table", { name: "Results for Totals" });
  await results.getByText("B vs A: not enough data yet").waitFor();
  assert.deepEqual(await resultRows(results), [
    ["A Need help?", "2", "0", "0", "0", "0.0%", "3", "100", "Baseline"],
    ["B Questions?", "0", "0", "0", "0", "0.0%", "1", "0", "B vs A: not enough data yet"],
  ]);
  assert.deepEqual(console.errors, []);
});
