// The operator console against WCAG 2.2 AA: axe-core finds no violation of the WCAG 2.x A/AA
// rules on any page or state — sign-in; Conversations empty, with a waiting conversation, with
// one open holding files, with the shortcut picker open; History's results, filters and a
// transcript with notes; Reports; Settings; Answers — each in the light and the dark colour
// scheme and at phone width. The page has one level-one heading everywhere. An operator works
// by keyboard alone, with the documented shortcuts.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { axeViolations, describeViolations } from "./axe.mjs";
import { OPERATOR, addAdmin, eventually, launch, openShop, operatorApi, startRelay, widget } from "./support.mjs";

const EVA = { email: "eva@shop.example", password: "admin horse battery", name: "Eva" };
const PDF = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
/** A one-pixel PNG, so that a message shows a thumbnail. */
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
const DESKTOP = { width: 1366, height: 800 };
const PHONE = { width: 390, height: 844 };

/** Beyond WCAG's own rules, the one axe rule the known findings named: a page has one
 * level-one heading, so that a screen reader's "next heading" lands on what the page is. */
const HEADING_RULE = ["page-has-heading-one"];

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser.close();
});

/** A relay of the test's own with the admin Eva beside the test operator; stopped when `t`
 * ends. */
async function setUp(t) {
  const relay = await startRelay();
  // A test that restarts the relay puts the new one here, so that it is the one stopped.
  const setup = { relay };
  t.after(async () => {
    await setup.relay.stop();
    setup.relay.cleanup();
  });
  addAdmin(relay, EVA);
  setup.api = await operatorApi(relay);
  return setup;
}

/**
 * Runs axe on `page` as it is now in the light scheme, the dark scheme and at phone width,
 * adding what it finds to `found` under `state`; `ready` is awaited after each change (it waits
 * for what the state shows, so a re-layout does not race the check).
 */
async function check(page, state, found, ready = async () => {}) {
  const runs = [
    ["light", { colorScheme: "light" }, DESKTOP],
    ["dark", { colorScheme: "dark" }, DESKTOP],
    ["phone", { colorScheme: "light" }, PHONE],
    ["phone, dark", { colorScheme: "dark" }, PHONE],
  ];
  for (const [variant, media, viewport] of runs) {
    await page.emulateMedia(media);
    await page.setViewportSize(viewport);
    await ready();
    const violations = await axeViolations(page);
    const headings = await axeViolations(page, { tags: ["best-practice"], disable: {}, include: undefined }).then((all) =>
      all.filter((violation) => HEADING_RULE.includes(violation.id)),
    );
    for (const violation of [...violations, ...headings]) found.push({ state: `${state} (${variant})`, violation });
  }
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize(DESKTOP);
}

/** Fails with every violation found, each told once with the states it was found in. */
function assertClean(found) {
  const grouped = new Map();
  for (const { state, violation } of found) {
    const key = JSON.stringify([violation.id, violation.nodes.map((node) => node.target)]);
    if (!grouped.has(key)) grouped.set(key, { violation, states: [] });
    grouped.get(key).states.push(state);
  }
  const text = [...grouped.values()].map(({ violation, states }) => `${states.join("; ")}:\n${describeViolations([violation])}`).join("\n");
  assert.equal(found.length, 0, `axe found ${found.length} violation(s):\n${text}`);
}

/** Signs `who` in through the form and waits for the console. */
async function signIn(page, relay, who) {
  await page.goto(`${relay.url}/console/`);
  await page.getByLabel("Email", { exact: true }).fill(who.email);
  await page.getByLabel("Password", { exact: true }).fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("switch", { name: "Available" }).waitFor();
}

/** A new visitor on the demo shop, in a browser profile of their own (closed when `t` ends),
 * who has written `text`; returns the conversation's id. */
async function visitorWrites(t, { relay, api }, text) {
  const context = await browser.newContext();
  t.after(() => context.close());
  const shop = await openShop(context, `${relay.url}/demo/`);
  await widget(shop).getByRole("button", { name: "Otevřít chat" }).click();
  const box = widget(shop).getByRole("textbox", { name: "Zpráva" });
  await box.fill(text);
  await box.press("Enter");
  await widget(shop).getByText("Doručeno").waitFor();
  const listed = await eventually(async () => (await api.conversations()).find((row) => row.lastMessage?.text === text), `the conversation "${text}"`);
  return listed.id;
}

const nav = (page, name) => page.getByRole("navigation", { name: "Console" }).getByRole("button", { name });
const row = (page, text) => page.getByRole("list", { name: "Conversations" }).getByRole("listitem").filter({ hasText: text });

test("axe finds no WCAG 2.x A/AA violation on any console page, in both colour schemes and at phone width", async (t) => {
  const setup = await setUp(t);
  const { relay } = setup;
  const found = [];
  const context = await browser.newContext({ locale: "en-US", viewport: DESKTOP });
  t.after(() => context.close());
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (error) => page.errors.push(error.message));

  // Sign-in, empty and with a refused attempt.
  await page.goto(`${relay.url}/console/`);
  await page.getByRole("button", { name: "Sign in" }).waitFor();
  await check(page, "sign-in", found);
  await page.getByLabel("Email", { exact: true }).fill(EVA.email);
  await page.getByLabel("Password", { exact: true }).fill("wrong horse battery");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").filter({ hasText: /./ }).waitFor();
  await check(page, "sign-in refused", found);

  // Conversations: none yet. A shortcut to pick later, there from the start.
  const eva = await operatorApi(relay, EVA);
  assert.equal((await eva.call("POST", "/api/shortcuts", { name: "pozdrav", text: "Dobrý den!", scope: "personal" })).status, 201);
  await signIn(page, relay, EVA);
  await page.getByRole("switch", { name: "Available" }).check();
  await page.getByText("No conversations").waitFor();
  await check(page, "Conversations, empty", found);

  // A visitor waits.
  const waitingId = await visitorWrites(t, setup, "Máte bundu Alpina v XL?");
  await row(page, "Máte bundu Alpina v XL?").waitFor();
  await check(page, "Conversations, one waiting", found);

  // Open, with files both ways and a shortcut to pick.
  await row(page, "Máte bundu Alpina v XL?").getByRole("button").click();
  const composer = page.getByRole("textbox", { name: "Message" });
  await composer.waitFor();
  await page.locator(".composer input[type=file]").setInputFiles([
    { name: "faktura.pdf", mimeType: "application/pdf", buffer: PDF },
    { name: "foto.png", mimeType: "image/png", buffer: PNG },
  ]);
  await composer.fill("Posílám fakturu a fotku.");
  await page.getByRole("button", { name: "Send" }).click();
  const log = page.getByRole("log", { name: "Messages" });
  await log.getByRole("link", { name: /Download faktura\.pdf/ }).waitFor();
  await log.getByRole("img").first().waitFor();
  await check(page, "Conversations, one open with files", found);
  // With files waiting in the tray.
  await page.locator(".composer input[type=file]").setInputFiles([{ name: "dodaci-list.pdf", mimeType: "application/pdf", buffer: PDF }]);
  await page.getByRole("list", { name: "Files to send" }).waitFor();
  await check(page, "Conversations, files in the tray", found);
  await page.getByRole("list", { name: "Files to send" }).getByRole("button", { name: /Remove/ }).click();
  // The picker open (the check's re-layouts keep it: the composer keeps the focus).
  await composer.fill("");
  await composer.pressSequentially("/po");
  const picker = page.getByRole("listbox", { name: "Shortcuts" });
  await picker.waitFor();
  await check(page, "Conversations, the shortcut picker open", found, () => picker.waitFor());
  await composer.press("Escape");
  await picker.waitFor({ state: "detached" });
  await check(page, "Conversations, the picker closed again", found);

  // The keyboard shortcuts' list, opened from the header.
  await page.getByRole("button", { name: "Keyboard shortcuts" }).click();
  const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
  await help.waitFor();
  await check(page, "Conversations, the keyboard shortcuts listed", found, () => help.waitFor());
  await help.getByRole("button", { name: "Close" }).click();
  await help.waitFor({ state: "hidden" });

  // Tags and a resolved one.
  await page.getByLabel("Add tag").fill("reklamace");
  await page.getByLabel("Add tag").press("Enter");
  await page.getByRole("list", { name: "Tags" }).getByText("reklamace").waitFor();
  await page.getByRole("button", { name: "Resolve" }).click();
  await page.getByRole("button", { name: "Reopen" }).waitFor();
  await check(page, "Conversations, a resolved one open", found);

  // History: results, filters, a transcript with a note.
  assert.equal((await eva.call("POST", `/api/conversations/${waitingId}/notes`, { text: "Zákazník volal, ověřit sklad." })).status, 201);
  await nav(page, "History").click();
  await page.getByRole("heading", { name: "History", level: 1 }).waitFor();
  const results = page.getByRole("list", { name: "Results" });
  await results.getByRole("listitem").first().waitFor();
  await check(page, "History, results", found);
  await page.getByRole("searchbox", { name: "Search the history" }).fill("bundu");
  await page.getByRole("searchbox", { name: "Search the history" }).press("Enter");
  await results.locator("mark").first().waitFor();
  await check(page, "History, a search with matches", found);
  await results.getByRole("listitem").first().getByRole("button").first().click();
  await page.getByText("Zákazník volal, ověřit sklad.").waitFor();
  await check(page, "History, a transcript with a note", found);

  // Reports, every report with its chart.
  await nav(page, "Reports").click();
  await page.getByRole("heading", { name: "Reports", level: 1 }).waitFor();
  await eventually(async () => (await page.locator("section.report svg.chart").count()) > 0, "a chart drawn");
  await check(page, "Reports", found);

  // Settings, an admin's (every section).
  await nav(page, "Settings").click();
  await page.getByRole("heading", { name: "Settings", level: 1 }).waitFor();
  await page.getByRole("region", { name: "Privacy" }).getByRole("heading", { name: "Audit log" }).waitFor();
  await check(page, "Settings", found);

  // Answers.
  await nav(page, "Answers").click();
  await page.getByRole("heading", { name: "Answers", level: 1 }).waitFor();
  await check(page, "Answers", found);

  assertClean(found);
  assert.deepEqual(page.errors, []);
});

/** Presses Tab until `target` has the focus, checking on the way that every element that takes
 * the focus shows it (an outline or a box shadow); fails after `limit` presses. */
async function tabTo(page, target, limit = 40) {
  for (let presses = 0; presses < limit; presses += 1) {
    await page.keyboard.press("Tab");
    const shown = await page.evaluate(() => {
      const focused = document.activeElement;
      if (!focused || focused === document.body) return { tag: "body", visible: true };
      const style = getComputedStyle(focused);
      const visible = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== "none";
      return { tag: focused.outerHTML.slice(0, 80), visible };
    });
    assert.ok(shown.visible, `the focus on ${shown.tag} is not visible`);
    if (await target.evaluate((element) => element === document.activeElement)) return;
  }
  throw new Error(`${target} not reached with Tab`);
}

const focused = (locator) => locator.evaluate((element) => element === document.activeElement);

test("an operator signs in, goes online, answers, resolves and moves between conversations by keyboard alone", async (t) => {
  const setup = await setUp(t);
  const { relay, api } = setup;
  const context = await browser.newContext({ locale: "en-US", viewport: DESKTOP });
  t.after(() => context.close());
  assert.equal((await api.call("POST", "/api/shortcuts", { name: "dekuji", text: "Děkujeme, {shop.name}!", scope: "personal" })).status, 201);
  // Three visitors wait, the first one longest. The operator is online for them to be let in
  // (the widget offers a contact form to nobody), and goes away again to come back by keyboard.
  assert.equal((await api.setOnline(true)).status, 200);
  const first = await visitorWrites(t, setup, "První dotaz: máte XL?");
  const second = await visitorWrites(t, setup, "Druhý dotaz: doprava?");
  const third = await visitorWrites(t, setup, "Třetí dotaz: platba?");
  assert.equal((await api.setOnline(false)).status, 200);

  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (error) => page.errors.push(error.message));
  await page.goto(`${relay.url}/console/`);
  const email = page.getByLabel("Email", { exact: true });
  await tabTo(page, email);
  await page.keyboard.type(OPERATOR.email);
  await tabTo(page, page.getByLabel("Password", { exact: true }));
  await page.keyboard.type(OPERATOR.password);
  await page.keyboard.press("Enter");

  const available = page.getByRole("switch", { name: "Available" });
  await available.waitFor();
  await tabTo(page, available);
  await page.keyboard.press("Space");
  const online = async () => (await api.call("GET", "/api/operators")).body.some((operator) => operator.email === OPERATOR.email && operator.online);
  await eventually(online, "the operator online");

  // Alt+N: the longest waiting conversation, its message box focused.
  const composer = page.getByRole("textbox", { name: "Message" });
  const log = page.getByRole("log", { name: "Messages" });
  await page.keyboard.press("Alt+n");
  await log.getByText("První dotaz: máte XL?").waitFor();
  await eventually(() => focused(composer), "the message box focused");

  // A saved shortcut answers: "/" and its name, Enter picks it, Enter sends.
  await page.keyboard.type("/dek");
  await page.getByRole("listbox", { name: "Shortcuts" }).getByRole("option", { selected: true }).waitFor();
  await page.keyboard.press("Enter");
  assert.equal(await composer.inputValue(), "Děkujeme, Horská bunda!");
  await page.keyboard.press("Enter");
  await eventually(async () => (await api.conversation(first)).messages.some((message) => message.author === "operator" && message.text === "Děkujeme, Horská bunda!"), "the answer stored");

  // Alt+R resolves it, and says so.
  await page.keyboard.press("Alt+r");
  await eventually(async () => (await api.conversation(first)).status === "resolved", "the conversation resolved");
  await page.getByRole("status").filter({ hasText: "Conversation resolved" }).waitFor();

  // Alt+N again: the next one waiting; Alt+↓ and Alt+↑ move through the list.
  await page.keyboard.press("Alt+n");
  await log.getByText("Druhý dotaz: doprava?").waitFor();
  await eventually(() => focused(composer), "the message box focused");
  await page.keyboard.press("Alt+ArrowDown");
  await log.getByText("Třetí dotaz: platba?").waitFor();
  await eventually(() => focused(composer), "the message box focused");
  await page.keyboard.press("Alt+ArrowUp");
  await log.getByText("Druhý dotaz: doprava?").waitFor();
  await page.keyboard.type("Hned to zjistím.");
  await page.keyboard.press("Enter");
  await eventually(async () => (await api.conversation(second)).messages.some((message) => message.text === "Hned to zjistím."), "the second answer stored");
  assert.equal((await api.conversation(third)).messages.filter((message) => message.author === "operator").length, 0);

  // A new visitor is announced once.
  await visitorWrites(t, setup, "Čtvrtý dotaz: záruka?");
  const announced = page.getByRole("status").filter({ hasText: /^New conversation from / });
  await announced.waitFor();
  assert.equal(await announced.count(), 1);

  // "?" outside a text field lists the shortcuts; Escape closes the list and the focus returns.
  // From the message box, one step back is the messages (scrollable, so they take the focus).
  const list = page.getByRole("log", { name: "Messages" });
  await page.keyboard.press("Shift+Tab");
  assert.ok(await focused(list), "Shift+Tab from the message box reaches the messages");
  await page.keyboard.press("?");
  const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
  await help.waitFor();
  await help.getByText("Alt+N").waitFor();
  await help.getByText("Open the next conversation waiting for an answer").waitFor();
  await page.keyboard.press("Escape");
  await help.waitFor({ state: "hidden" });
  await eventually(() => focused(list), "the focus back on the messages");
  assert.deepEqual(page.errors, []);
});

test("a lost connection is announced once while it lasts, and the console passes axe meanwhile", async (t) => {
  const setup = await setUp(t);
  const context = await browser.newContext({ locale: "en-US", viewport: DESKTOP });
  t.after(() => context.close());
  const page = await context.newPage();
  await signIn(page, setup.relay, OPERATOR);
  const reconnecting = page.getByRole("status").filter({ hasText: /^Reconnecting…$/ });
  await page.getByRole("status").filter({ hasText: /^Connecting…$/ }).waitFor({ state: "detached" });
  assert.equal(await reconnecting.count(), 0);

  await setup.relay.kill();
  await reconnecting.waitFor();
  assert.equal(await reconnecting.count(), 1, "said by one live region only");
  const found = [];
  await check(page, "Conversations, reconnecting", found, () => reconnecting.waitFor());
  assertClean(found);

  setup.relay = await setup.relay.restart();
  await reconnecting.waitFor({ state: "detached" });
});
