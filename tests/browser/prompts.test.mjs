// Proactive prompts in a real browser against the real relay, with the page's clock under the
// test's control (Playwright's clock): every trigger firing and not firing, dismissal memory
// across reloads and tabs and its expiry, no prompt while nobody can answer, sticky variants and
// the figures the relay counts. The shop's pages say the visitor consented (`data-consent`), so
// that the memory across pages and visits works; privacy.test.mjs covers the page without it.
import assert from "node:assert/strict";
import { after, afterEach, test } from "node:test";
import { addAdmin, eventually, operatorApi, sharedRelay, startShop, widget } from "./support.mjs";

const shared = sharedRelay();
const ADMIN = { email: "eva@shop.example", password: "correct horse battery", name: "Eva" };
let admin;
let shop;
const made = [];

function page(relayUrl, title) {
  return `<!doctype html><html lang="cs"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>
<script async src="${relayUrl}/widget.js" data-site="demo" data-consent="granted"></script></head>
<body style="margin:0;height:2000px"><h1>${title}</h1></body></html>`;
}

/** The admin's REST client and the shop's second origin, made once the relay runs. */
let setup;
function ready() {
  setup ??= (async () => {
    addAdmin(shared.relay, ADMIN);
    admin = await operatorApi(shared.relay, ADMIN);
    const pages = {};
    for (const path of ["/", "/products/jacket", "/products/boots", "/cart"]) pages[path] = page(shared.relay.url, path);
    shop = await startShop(pages);
  })();
  return setup;
}

after(() => shop?.close());

afterEach(async () => {
  await ready();
  for (const id of made.splice(0)) await admin.call("DELETE", `/api/prompts/${id}`);
  await shared.api.setOnline(true);
  await admin.call("PUT", "/api/sites/demo", { ...(await demoSite()), hours: null });
});

async function demoSite() {
  const sites = (await admin.call("GET", "/api/sites")).body;
  return sites.find((site) => site.name === "demo");
}

async function prompt(fields) {
  await ready();
  const response = await admin.call("POST", "/api/prompts", {
    site: "demo",
    name: fields.name ?? "Help",
    variants: fields.variants ?? [{ text: fields.text ?? "Můžu vám pomoct?", weight: 1 }],
    trigger: fields.trigger ?? {},
    ...fields,
  });
  assert.equal(response.status, 201, JSON.stringify(response.body));
  made.push(response.body.id);
  return response.body;
}

/** A visitor's browser with its clock paused at a known moment. */
async function visitor(options = {}) {
  const context = await shared.browser.newContext(options);
  await context.clock.install({ time: options.time ?? Date.now() });
  await context.clock.pauseAt(options.time ?? Date.now());
  return context;
}

/** Opens a shop page, lets its clock run until the widget is ready and records prompt events. */
async function visit(context, path) {
  const tab = await context.newPage();
  const errors = [];
  tab.on("pageerror", (error) => errors.push(error.message));
  tab.errors = errors;
  // The prompts are read once the widget has started: wait for that answer too.
  const read = tab.waitForResponse((response) => response.url().includes("/visitor/prompts?"));
  await tab.goto(`${shop.url}${path}`);
  await tab.evaluate(() => {
    window.promptEvents = [];
    for (const name of ["prompt:shown", "prompt:dismissed"]) {
      window.Beseda.on(name, (payload) => window.promptEvents.push({ name, ...payload, at: Date.now() }));
    }
    window.Beseda.on("ready", () => { window.besedaReady = true; });
  });
  // The loader starts in idle callbacks, which the paused clock runs when told to; until the
  // widget is ready, calls like Beseda.setCart wait in its queue.
  await runUntil(tab, () => window.besedaReady === true);
  await read;
  return tab;
}

/** Advances the page's clock in small steps until `condition` holds in the page. */
async function runUntil(tab, condition) {
  for (let step = 0; step < 200; step += 1) {
    if (await tab.evaluate(condition)) return;
    await tab.clock.runFor(50);
  }
  throw new Error("the page never got there");
}

const bubble = (tab) => widget(tab).locator(".prompt");
const events = (tab) => tab.evaluate(() => window.promptEvents.map(({ name, id, variant }) => ({ name, id, variant })));

/** Runs the page's clock for `ms`. Where a prompt is not yet due nothing asynchronous follows,
 *  so what the page shows afterwards is final. */
async function runFor(tab, ms) {
  await tab.clock.runFor(ms);
}

/** The widget's next question to the relay about the prompts (and whether anyone is there). */
function nextCheck(tab) {
  return tab.waitForResponse((response) => response.url().includes("/visitor/prompts?"));
}

test("seconds on the page and the URL pattern: shown on matching pages once the time has passed", async () => {
  const jackets = await prompt({ text: "Vybíráte bundu?", trigger: { urlPattern: "/products/*", secondsOnPage: 20 } });
  const context = await visitor();
  const home = await visit(context, "/");
  await runFor(home, 60_000);
  assert.equal(await bubble(home).isVisible(), false, "not on a page the pattern does not match");
  const product = await visit(context, "/products/jacket");
  const start = await product.evaluate(() => Date.now());
  await runFor(product, 15_000);
  assert.equal(await bubble(product).isVisible(), false, "not before 20 seconds");
  await runFor(product, 6_000);
  await bubble(product).waitFor();
  assert.equal(await bubble(product).getByRole("button", { name: "Vybíráte bundu?" }).count(), 1);
  assert.deepEqual(await events(product), [{ name: "prompt:shown", id: jackets.id, variant: 0 }]);
  const shownAt = await product.evaluate(() => window.promptEvents[0].at);
  assert.ok(shownAt - start >= 19_000 && shownAt - start <= 21_000, `shown after ${shownAt - start} ms`);
  // It takes no focus and is announced politely.
  assert.equal(await product.evaluate(() => document.activeElement === document.body), true);
  assert.equal(await bubble(product).getAttribute("aria-live"), "polite");
  assert.deepEqual(home.errors.concat(product.errors), []);
  await context.close();
});

test("pages viewed this visit and time added up over matching pages", async () => {
  // One tab at a time, as a visitor moving through the shop (the clock runs for every tab).
  await prompt({ name: "Browsing", text: "Hledáte něco?", trigger: { minPagesViewed: 3 } });
  const context = await visitor();
  for (const path of ["/", "/cart"]) {
    const tab = await visit(context, path);
    await runFor(tab, 5_000);
    assert.equal(await bubble(tab).isVisible(), false, `${path}: fewer than three pages`);
    await tab.close();
  }
  const third = await visit(context, "/products/boots");
  await runFor(third, 1_000);
  await bubble(third).getByText("Hledáte něco?").waitFor();
  await context.close();
  for (const id of made.splice(0)) await admin.call("DELETE", `/api/prompts/${id}`);

  await prompt({ name: "Dwell", text: "Poradíme s velikostí?", trigger: { urlPattern: "/products/*", minDwellSeconds: 30 } });
  const dweller = await visitor();
  for (const [path, seconds] of [["/products/jacket", 20_000], ["/cart", 60_000]]) {
    const tab = await visit(dweller, path);
    await runFor(tab, seconds);
    assert.equal(await bubble(tab).isVisible(), false, `${path}: less than 30 seconds on product pages`);
    await tab.close();
  }
  const boots = await visit(dweller, "/products/boots");
  await runFor(boots, 5_000);
  assert.equal(await bubble(boots).isVisible(), false, "25 seconds are not 30");
  await runFor(boots, 6_000);
  await bubble(boots).getByText("Poradíme s velikostí?").waitFor();
  await dweller.close();
});

test("exit intent with a full cart: only when the pointer leaves the top and the cart is big enough", async () => {
  await prompt({ text: "Nechcete poradit s objednávkou?", trigger: { exitIntent: true, cartMinTotal: 1000 } });
  const context = await visitor();
  const tab = await visit(context, "/cart");
  await tab.evaluate(() => window.Beseda.setCart({ items: [{ name: "Ponožky", qty: 1, price: 500 }], total: 500, currency: "CZK" }));
  await tab.mouse.move(300, 300);
  await tab.mouse.move(300, 0);
  await tab.evaluate(() => document.dispatchEvent(new MouseEvent("mouseout", { clientX: 300, clientY: -5, bubbles: true })));
  await runFor(tab, 2_000);
  assert.equal(await bubble(tab).isVisible(), false, "a small cart");
  await tab.evaluate(() => window.Beseda.setCart({ items: [{ name: "Bunda", qty: 1, price: 2490 }], total: 2490, currency: "CZK" }));
  await runFor(tab, 10_000);
  assert.equal(await bubble(tab).isVisible(), false, "a full cart, but the visitor is not leaving");
  // Moving down inside the page is no exit either.
  await tab.evaluate(() => document.dispatchEvent(new MouseEvent("mouseout", { clientX: 300, clientY: 400, bubbles: true })));
  await runFor(tab, 1_000);
  assert.equal(await bubble(tab).isVisible(), false, "the pointer left an element, not the window");
  await tab.evaluate(() => document.dispatchEvent(new MouseEvent("mouseout", { clientX: 300, clientY: -5, bubbles: true })));
  await bubble(tab).getByText("Nechcete poradit s objednávkou?").waitFor();
  await context.close();
});

test("returning visitors: not on the first visit, yes on a visit after a pause", async () => {
  await prompt({ text: "Vítejte zpátky!", trigger: { returningVisitor: true } });
  const start = Date.now();
  const context = await visitor({ time: start });
  const first = await visit(context, "/");
  await runFor(first, 10_000);
  const second = await visit(context, "/cart");
  await runFor(second, 10_000);
  assert.equal(await bubble(second).isVisible(), false, "the same visit");
  await second.close();
  await first.close();
  await context.clock.setSystemTime(start + 2 * 3600_000);
  const later = await visit(context, "/");
  await runFor(later, 1_000);
  await bubble(later).getByText("Vítejte zpátky!").waitFor();
  await context.close();
});

test("a closed prompt stays closed across reloads and tabs for its days, then comes back", async () => {
  // The first prompt that holds shows; once it is closed, the second shows in its place, which
  // proves the first was considered and passed over.
  const first = await prompt({ name: "First", text: "První nabídka", dismissForDays: 3, maxPerSession: 10 });
  await prompt({ name: "Second", text: "Druhá nabídka", maxPerSession: 10 });
  const start = Date.now();
  const context = await visitor({ time: start });
  const tab = await visit(context, "/");
  await bubble(tab).getByText("První nabídka").waitFor();
  const close = bubble(tab).getByRole("button", { name: "Zavřít" });
  await close.click();
  await bubble(tab).waitFor({ state: "hidden" });
  assert.deepEqual(await events(tab), [
    { name: "prompt:shown", id: first.id, variant: 0 },
    { name: "prompt:dismissed", id: first.id, variant: 0 },
  ]);
  await tab.reload();
  await runUntil(tab, () => window.Beseda?.version && document.querySelector("beseda-chat")?.shadowRoot?.querySelector(".launcher"));
  await bubble(tab).getByText("Druhá nabídka").waitFor();
  const other = await visit(context, "/cart");
  await bubble(other).getByText("Druhá nabídka").waitFor();
  assert.equal(await bubble(other).getByText("První nabídka").count(), 0);

  // Four days later the first is back.
  await context.clock.setSystemTime(start + 4 * 86_400_000);
  const back = await visit(context, "/products/jacket");
  await bubble(back).getByText("První nabídka").waitFor();
  await context.close();
});

test("closing in one tab closes the same prompt in the other", async () => {
  await prompt({ text: "Jen jednou", maxPerSession: 5 });
  const context = await visitor();
  const one = await visit(context, "/");
  const two = await visit(context, "/cart");
  await bubble(one).getByText("Jen jednou").waitFor();
  await bubble(two).getByText("Jen jednou").waitFor();
  await bubble(one).getByRole("button", { name: "Zavřít" }).click();
  await bubble(two).waitFor({ state: "hidden" });
  await context.close();
});

test("no prompt while nobody is available or the shop is closed; it comes once someone can answer", async () => {
  await prompt({ text: "Jsme tu pro vás", trigger: { secondsOnPage: 5 } });
  await shared.api.setOnline(false);
  const context = await visitor();
  const tab = await visit(context, "/");
  // Due after 5 seconds: the widget asks the relay, hears nobody is there, and asks again only
  // 30 seconds later — an answer it had acted on would have stopped it asking.
  let checked = nextCheck(tab);
  await tab.clock.runFor(10_000);
  await checked;
  checked = nextCheck(tab);
  await tab.clock.runFor(31_000);
  await checked;
  const asked = await tab.evaluate(() => Date.now());
  assert.equal(await bubble(tab).isVisible(), false, "nobody online");
  assert.deepEqual(await events(tab), []);
  await shared.api.setOnline(true);
  await tab.clock.runFor(31_000);
  await bubble(tab).getByText("Jsme tu pro vás").waitFor();
  const shownAt = await tab.evaluate(() => window.promptEvents[0].at);
  assert.ok(shownAt > asked, "shown only once someone was online");
  await context.close();

  // Closed today and tomorrow (in UTC), with the operator online.
  const day = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  const weekly = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((name) => ({ day: name, open: "00:00", close: "24:00" }));
  const hours = { timeZone: "UTC", weekly, exceptions: [{ date: day(0) }, { date: day(1) }] };
  const saved = await admin.call("PUT", "/api/sites/demo", { ...(await demoSite()), hours });
  assert.equal(saved.status, 200, JSON.stringify(saved.body));
  const closed = await visitor();
  const closedTab = await visit(closed, "/");
  checked = nextCheck(closedTab);
  await closedTab.clock.runFor(10_000);
  await checked;
  checked = nextCheck(closedTab);
  await closedTab.clock.runFor(31_000);
  await checked;
  assert.equal(await bubble(closedTab).isVisible(), false, "the shop is closed");
  assert.deepEqual(await events(closedTab), []);
  await closed.close();
});

test("never while the visitor is chatting; once the chat is resolved, it may show", async () => {
  const context = await visitor();
  const tab = await visit(context, "/");
  await widget(tab).getByRole("button", { name: "Otevřít chat" }).click();
  const box = widget(tab).getByRole("textbox", { name: "Zpráva" });
  await box.fill("Mám dotaz k bundě");
  await box.press("Enter");
  await widget(tab).getByText("Doručeno").waitFor();
  await tab.close();
  await prompt({ text: "Pomůžeme vám?", maxPerSession: 5 });
  // The visitor comes back with their conversation open: no prompt over it.
  const back = await context.newPage();
  await back.goto(`${shop.url}/cart`);
  // The history is in the (closed) window once the relay has welcomed the visitor back.
  await runUntil(back, () => document.querySelector("beseda-chat")?.shadowRoot?.querySelector(".message"));
  await runFor(back, 10_000);
  assert.equal(await bubble(back).isVisible(), false, "the visitor is chatting");
  const mine = (await shared.api.conversations()).find((c) => c.lastMessage?.text === "Mám dotaz k bundě");
  assert.equal((await shared.api.call("POST", `/api/conversations/${mine.id}/resolve`)).status, 200);
  await runFor(back, 2_000);
  await bubble(back).getByText("Pomůžeme vám?").waitFor();
  await context.close();
});

test("variants: each visitor keeps theirs, and shown, opened, conversations and orders are counted", async () => {
  const ab = await prompt({
    name: "A/B",
    variants: [{ text: "Varianta A", weight: 1 }, { text: "Varianta B", weight: 1 }],
    maxPerSession: 10,
  });
  const seen = [];
  for (const random of [0.1, 0.9]) {
    const context = await visitor();
    // The draw gives A for 0.1 and B for 0.9; after the first page the other value is stored,
    // so that a widget that drew again would change the variant.
    await context.addInitScript((value) => {
      const stored = localStorage.getItem("test-random");
      Math.random = () => (stored === null ? value : Number(stored));
    }, random);
    const texts = [];
    for (const path of ["/", "/cart", "/products/jacket"]) {
      const tab = await visit(context, path);
      await bubble(tab).locator(".prompt-text").waitFor();
      texts.push(await bubble(tab).locator(".prompt-text").textContent());
      await tab.evaluate((value) => localStorage.setItem("test-random", String(1 - value)), random);
      if (path === "/products/jacket") {
        await bubble(tab).locator(".prompt-text").click();
        const box = widget(tab).getByRole("textbox", { name: "Zpráva" });
        await box.fill(`Dotaz k variantě ${random}`);
        await box.press("Enter");
        await widget(tab).getByText("Doručeno").waitFor();
        await tab.evaluate(() => window.Beseda.track("order", { total: 2490 }));
      }
    }
    seen.push(texts);
    await context.close();
  }
  assert.deepEqual(seen, [
    ["Varianta A", "Varianta A", "Varianta A"],
    ["Varianta B", "Varianta B", "Varianta B"],
  ]);
  const stats = await eventually(async () => {
    const { body } = await admin.call("GET", `/api/prompts/${ab.id}/stats`);
    return body.variants.every((variant) => variant.orders === 1) ? body : null;
  }, "the order reports");
  for (const variant of stats.variants) {
    assert.equal(variant.shown, 3, JSON.stringify(variant));
    assert.equal(variant.opened, 1);
    assert.equal(variant.conversations, 1);
    assert.equal(variant.orderTotal, 2490);
    assert.equal(variant.dismissed, 0);
  }
});

test("on a phone the prompt is one short line by the launcher, never over the page", async () => {
  await prompt({ text: "Dobrý den, můžeme vám s něčím pomoct při výběru zboží?" });
  const context = await visitor({ viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true });
  const tab = await visit(context, "/");
  await bubble(tab).waitFor();
  const box = await bubble(tab).boundingBox();
  const launcher = await widget(tab).locator(".launcher").boundingBox();
  assert.ok(box.height <= 40, `one line: ${box.height}px`);
  assert.ok(box.width <= 375 - 90, `leaves room: ${box.width}px`);
  assert.ok(box.y + box.height <= launcher.y, "above the launcher");
  assert.ok(box.y > 667 - 140, "at the bottom edge");
  await context.close();
});
