// Nothing stored in the visitor's browser before consent or interaction: a shop with every kind of
// prompt, browsed without consent, leaves localStorage, sessionStorage, cookies, IndexedDB and the
// Cache API empty, and a prompt that needs only the page view still shows; closing a prompt and
// writing store only what they need. With consent (`Beseda.consent(true)` called before the
// widget started, or `data-consent="granted"`) the triggers that need memory across pages work
// and the memory is stored; `Beseda.consent(false)` clears it and keeps the visitor's chat.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { addAdmin, operatorApi, sharedRelay, startShop, widget } from "./support.mjs";

const shared = sharedRelay();
const ADMIN = { email: "eva@shop.example", password: "correct horse battery", name: "Eva" };
const PATHS = ["/", "/cart", "/products/jacket"];
const PROMPTS_KEY = "beseda:demo:prompts";
const TOKEN_KEY = "beseda:demo:token";
let shop;
const ids = {};

function page(relayUrl, title, attributes) {
  return `<!doctype html><html lang="cs"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>
<script async src="${relayUrl}/widget.js" data-site="demo"${attributes}></script></head>
<body style="margin:0;height:2000px"><h1>${title}</h1></body></html>`;
}

/** The prompts and the shop's second origin, made once the relay runs (in the first test). */
let setup;
function ready() {
  setup ??= prepare();
  return setup;
}

async function prepare() {
  addAdmin(shared.relay, ADMIN);
  const admin = await operatorApi(shared.relay, ADMIN);
  // Every kind of trigger. Without consent only the first may show; on the third page with
  // consent the pages viewed hold at once, before the five seconds of the first.
  const prompts = {
    seconds: { text: "Vybíráte bundu?", trigger: { urlPattern: "/products/*", secondsOnPage: 5 } },
    pages: { text: "Hledáte něco?", trigger: { minPagesViewed: 3 } },
    dwell: { text: "Poradíme s velikostí?", trigger: { urlPattern: "/products/*", minDwellSeconds: 600 } },
    exit: { text: "Nechcete poradit s objednávkou?", trigger: { exitIntent: true, cartMinTotal: 1000 } },
    returning: { text: "Vítejte zpátky!", trigger: { returningVisitor: true } },
    newcomer: { text: "Jste tu poprvé?", trigger: { returningVisitor: false, urlPattern: "/nowhere" } },
  };
  for (const [name, { text, trigger }] of Object.entries(prompts)) {
    const response = await admin.call("POST", "/api/prompts", { site: "demo", name, variants: [{ text, weight: 1 }], trigger });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    ids[name] = response.body.id;
  }
  const pages = {};
  for (const path of PATHS) {
    pages[path] = page(shared.relay.url, path, "");
    pages[`/granted${path}`] = page(shared.relay.url, path, ' data-consent="granted"');
  }
  shop = await startShop(pages);
}

after(() => shop?.close());

/** A visitor's browser with its clock paused (the loader starts when the clock runs). */
async function visitor() {
  await ready();
  const context = await shared.browser.newContext();
  await context.clock.install({ time: Date.now() });
  await context.clock.pauseAt(Date.now());
  return context;
}

/** Opens a shop page; `early` runs in it before the widget has started; then runs the clock
 *  until the widget is ready and has read the prompts. */
async function visit(context, path, early) {
  const tab = await context.newPage();
  const errors = [];
  tab.on("pageerror", (error) => errors.push(error.message));
  tab.errors = errors;
  const read = tab.waitForResponse((response) => response.url().includes("/visitor/prompts?"));
  await tab.goto(`${shop.url}${path}`);
  await tab.evaluate(() => {
    window.Beseda.on("ready", () => { window.besedaReady = true; });
  });
  if (early) await tab.evaluate(early);
  await runUntil(tab, () => window.besedaReady === true);
  await read;
  return tab;
}

async function runUntil(tab, condition, argument) {
  for (let step = 0; step < 200; step += 1) {
    if (await tab.evaluate(condition, argument)) return;
    await tab.clock.runFor(50);
  }
  throw new Error("the page never got there");
}

/** All five places a page can store something in, for the shop's origin. */
function stored(tab) {
  return tab.evaluate(async () => {
    const entries = (storage) => Object.fromEntries(Object.keys(storage).sort().map((key) => [key, storage.getItem(key)]));
    return {
      localStorage: entries(localStorage),
      sessionStorage: entries(sessionStorage),
      cookie: document.cookie,
      indexedDB: (await indexedDB.databases()).map((database) => database.name),
      caches: await caches.keys(),
    };
  });
}

const EMPTY = { localStorage: {}, sessionStorage: {}, cookie: "", indexedDB: [], caches: [] };
const bubble = (tab) => widget(tab).locator(".prompt");

/** The prompts' memory as stored: `[first, start, seen, pages, …]`. */
const memory = (storage) => JSON.parse(storage.localStorage[PROMPTS_KEY]);

test("without consent nothing is stored over three pages; a page-view prompt still shows; interaction stores only what it needs", async () => {
  const context = await visitor();
  const errors = [];
  let jacket;
  // One tab at a time, as a visitor moving through the shop.
  for (const path of PATHS) {
    await jacket?.close();
    jacket = await visit(context, path);
    errors.push(jacket.errors);
    await jacket.evaluate(() => window.Beseda.setCart({ items: [{ name: "Bunda", qty: 1, price: 2490 }], total: 2490, currency: "CZK" }));
    await jacket.clock.runFor(4_000);
    assert.deepEqual(await stored(jacket), EMPTY, `${path}: nothing stored`);
    assert.equal(await bubble(jacket).isVisible(), false, `${path}: no prompt yet (no memory of pages)`);
  }
  // The seconds on this page are what the page view knows: the prompt shows.
  await jacket.clock.runFor(2_000);
  await bubble(jacket).getByText("Vybíráte bundu?").waitFor();
  assert.deepEqual(await stored(jacket), EMPTY, "showing a prompt stores nothing");
  // Shown once per page view, and the others on this page view's knowledge only.
  assert.equal(await bubble(jacket).getByText("Hledáte něco?").count(), 0);

  // Closing it is asked for: only that is stored.
  await bubble(jacket).getByRole("button", { name: "Zavřít" }).click();
  await bubble(jacket).waitFor({ state: "hidden" });
  let now = await stored(jacket);
  assert.deepEqual(Object.keys(now.localStorage), [PROMPTS_KEY]);
  const record = memory(now);
  assert.deepEqual(record.slice(0, 12), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], "no visit, pages, variant or shown prompt: one closed prompt");
  assert.equal(record[12], ids.seconds);
  assert.equal(record.length, 14, JSON.stringify(record));
  assert.deepEqual({ ...now, localStorage: {} }, EMPTY);

  // Opening the chat stores nothing more; writing keeps the conversation's token.
  await widget(jacket).getByRole("button", { name: "Otevřít chat" }).click();
  await widget(jacket).getByRole("textbox", { name: "Zpráva" }).waitFor();
  now = await stored(jacket);
  assert.deepEqual(Object.keys(now.localStorage), [PROMPTS_KEY], "opened, not written");
  const box = widget(jacket).getByRole("textbox", { name: "Zpráva" });
  await box.fill("Mám dotaz");
  await box.press("Enter");
  await widget(jacket).getByText("Doručeno").waitFor();
  now = await stored(jacket);
  assert.deepEqual(Object.keys(now.localStorage), [PROMPTS_KEY, TOKEN_KEY], "the token, the sent outbox gone");
  assert.deepEqual(memory(now), record, "the prompts' record unchanged");
  assert.deepEqual({ ...now, localStorage: {} }, EMPTY);
  assert.deepEqual(errors.flat(), []);
  await context.close();
});

test("consent given before the widget started: pages are remembered, and withdrawing clears them but keeps the chat", async () => {
  const context = await visitor();
  const consent = () => {
    // Queued: the widget has not started (the paused clock holds it).
    if (window.besedaReady) throw new Error("the widget had started");
    window.Beseda.consent(true);
  };
  let tab;
  for (const [index, path] of PATHS.entries()) {
    await tab?.close();
    tab = await visit(context, path, consent);
    // The memory is stored once the widget has read the prompts.
    await runUntil(tab, (key) => localStorage.getItem(key) !== null, PROMPTS_KEY);
    const now = await stored(tab);
    assert.deepEqual(Object.keys(now.localStorage), [PROMPTS_KEY], `${path}: the memory is kept`);
    assert.equal(memory(now)[3], index + 1, `${path}: pages viewed this visit`);
    assert.deepEqual({ ...now, localStorage: {} }, EMPTY);
  }
  // The third page: the pages viewed hold at once, before the seconds on the page.
  await bubble(tab).getByText("Hledáte něco?").waitFor();

  const box = widget(tab).getByRole("textbox", { name: "Zpráva" });
  await bubble(tab).locator(".prompt-text").click();
  await box.fill("Hledám bundu");
  await box.press("Enter");
  await widget(tab).getByText("Doručeno").waitFor();
  await tab.evaluate(() => window.Beseda.consent(false));
  const now = await stored(tab);
  assert.deepEqual(Object.keys(now.localStorage), [TOKEN_KEY], "the prompts' memory is cleared, the chat kept");
  assert.deepEqual({ ...now, localStorage: {} }, EMPTY);
  // Withdrawn for this page view: nothing is written again.
  await tab.clock.runFor(3_000);
  assert.deepEqual(Object.keys((await stored(tab)).localStorage), [TOKEN_KEY]);
  await context.close();
});

test("data-consent=\"granted\": remembered across pages and visits; a closed prompt survives withdrawal", async () => {
  const context = await visitor();
  let tab, start;
  for (const path of PATHS) {
    await tab?.close();
    tab = await visit(context, `/granted${path}`);
    start ??= await tab.evaluate(() => Date.now());
  }
  await tab.clock.runFor(1_000);
  await bubble(tab).getByText("Hledáte něco?").waitFor();
  assert.equal(memory(await stored(tab))[3], 3);
  await tab.close();
  // Two hours later the visitor returns.
  await context.clock.setSystemTime(start + 2 * 3600_000);
  const back = await visit(context, "/granted/");
  await back.clock.runFor(1_000);
  await bubble(back).getByText("Vítejte zpátky!").waitFor();
  await bubble(back).getByRole("button", { name: "Zavřít" }).click();
  await bubble(back).waitFor({ state: "hidden" });
  await back.evaluate(() => window.Beseda.consent(false));
  const now = await stored(back);
  assert.deepEqual(Object.keys(now.localStorage), [PROMPTS_KEY]);
  const record = memory(now);
  assert.deepEqual(record.slice(0, 12), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], "only the closed prompt is left");
  assert.equal(record[12], ids.returning);
  assert.deepEqual({ ...now, localStorage: {} }, EMPTY);
  await context.close();
});
