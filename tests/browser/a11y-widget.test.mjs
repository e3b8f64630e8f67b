// The widget against WCAG 2.2 AA: axe-core finds no violation of the WCAG 2.x A/AA rules in its
// shadow root in any state a visitor meets — the launcher, a proactive prompt, the window empty,
// the answers offered and one open, messages and the unread badge, a refused message, the files
// tray, the queue place, the rating form, the contact form while nobody is online, and the chat
// refused for an unknown site — each in the light and the dark colour scheme, on a desktop and at
// phone width. The window adds no landmark of the page's own kind. A pale accent (and a dark one)
// keeps every text's contrast. A visitor opens, writes, attaches a file, rates and closes with
// the keyboard alone.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { axeViolations, describeViolations } from "./axe.mjs";
import { RELAY_BINARY, addAdmin, eventually, launch, openShop, operatorApi, startRelay, startShop, widget } from "./support.mjs";

const EVA = { email: "eva@shop.example", password: "admin horse battery", name: "Eva" };
const DEMO_ANSWERS = resolve("../../www/answers/demo.json");
const DELIVERY = "Kdy mi objednávka dorazí?";
const DESKTOP = { width: 1366, height: 800 };
const PHONE = { width: 390, height: 844 };
/** A one-pixel PNG, for the files tray. */
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");

let browser, relay, api, admin, shop;
before(async () => {
  browser = await launch();
  relay = await startRelay();
  const db = join(relay.directory, "beseda.db");
  const imported = spawnSync(RELAY_BINARY, ["answers", "import", "--site", "demo", DEMO_ANSWERS, "--db", db], { encoding: "utf8" });
  assert.equal(imported.status, 0, imported.stderr);
  addAdmin(relay, EVA);
  api = await operatorApi(relay);
  admin = await operatorApi(relay, EVA);
  await api.setOnline(true);
  // Shop pages of another origin: an accent of the shop's choice, and a site the relay does not
  // serve.
  const page = (attributes) => `<!doctype html><html lang="cs"><head><meta charset="utf-8"><title>Obchod</title>
    <script async src="${relay.url}/widget.js" ${attributes}></script></head>
    <body><header><a href="/">Obchod</a></header><main><h1>Obchod</h1><p>Zboží.</p></main></body></html>`;
  shop = await startShop({
    "/pale": page('data-site="demo" data-color="#ffe066"'),
    "/dark": page('data-site="demo" data-color="#1e1b4b"'),
    "/mid": page('data-site="demo" data-color="#888888"'),
    "/unknown": page('data-site="no-such-shop"'),
  });
});
after(async () => {
  await shop.close();
  await browser.close();
  await relay.stop();
  relay.cleanup();
});

/** A fresh visitor (a browser profile of their own) on `url`; the profile closes when `t` ends. */
async function visitor(t, url = `${relay.url}/demo/`) {
  const context = await browser.newContext();
  t.after(() => context.close());
  return openShop(context, url);
}

async function open(page) {
  await widget(page).getByRole("button", { name: "Otevřít chat" }).click();
  await widget(page).getByRole("dialog").waitFor();
}

async function say(page, text) {
  await widget(page).getByRole("textbox", { name: "Zpráva" }).fill(text);
  await widget(page).getByRole("textbox", { name: "Zpráva" }).press("Enter");
}

async function conversationOf(text) {
  return eventually(async () => (await api.conversations()).find((c) => c.lastMessage?.text === text), `the conversation of "${text}"`);
}

/** Waits until the widget's animations have finished or been cancelled (a change of width or
 * scheme may cancel one, which `settled` takes for a failure). */
function quiet(page) {
  return page.evaluate(() => Promise.allSettled(document.querySelector("beseda-chat").shadowRoot.getAnimations().map((animation) => animation.finished)));
}

/**
 * Runs axe in the widget as it is now, in the light and the dark scheme, on a desktop and at
 * phone width, and fails with every violation found, named by state and variant. The widget
 * must not add a banner (or any landmark the shop's page has) either.
 */
async function check(page, state) {
  const found = [];
  for (const [variant, colorScheme, viewport] of [
    ["light", "light", DESKTOP],
    ["dark", "dark", DESKTOP],
    ["phone", "light", PHONE],
    ["phone, dark", "dark", PHONE],
  ]) {
    await page.emulateMedia({ colorScheme });
    await page.setViewportSize(viewport);
    await quiet(page);
    const violations = await axeViolations(page, { include: "beseda-chat" });
    if (violations.length) found.push(`${state} (${variant}):\n${describeViolations(violations)}`);
  }
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize(DESKTOP);
  assert.equal(await widget(page).getByRole("banner").count(), 0, `${state}: the widget adds a banner landmark`);
  assert.deepEqual(found, [], found.join("\n"));
}

/** The WCAG contrast ratio of two `rgb(…)` colours, worked out in the page. */
function contrast(page, selector, property = "color", against = "backgroundColor", on = selector) {
  return page.evaluate(
    ([selector, property, against, on]) => {
      const root = document.querySelector("beseda-chat").shadowRoot;
      // Computed colours may be given in any space: a canvas pixel says what shows.
      const canvas = document.createElement("canvas").getContext("2d", { willReadFrequently: true });
      const luminance = (colour) => {
        canvas.fillStyle = "#000";
        canvas.fillRect(0, 0, 1, 1);
        canvas.fillStyle = colour;
        canvas.fillRect(0, 0, 1, 1);
        const channels = [...canvas.getImageData(0, 0, 1, 1).data.slice(0, 3)].map((value) => {
          const c = value / 255;
          return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
      };
      const a = luminance(getComputedStyle(root.querySelector(selector))[property]);
      const b = luminance(getComputedStyle(root.querySelector(on))[against]);
      return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    },
    [selector, property, against, on],
  );
}

test("the launcher, a proactive prompt and the empty window", async (t) => {
  const made = await admin.call("POST", "/api/prompts", {
    site: "demo",
    name: "Help",
    variants: [{ text: "Můžu vám pomoct s výběrem?", weight: 1 }],
    trigger: {},
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  t.after(() => admin.call("DELETE", `/api/prompts/${made.body.id}`));
  const page = await visitor(t);
  await check(page, "launcher");
  await widget(page).locator(".prompt").getByText("Můžu vám pomoct s výběrem?").waitFor();
  await check(page, "prompt bubble");
  await open(page);
  await widget(page).getByText("Jsme tu pro vás").waitFor();
  await check(page, "window");
});

test("the answers offered, and one open", async (t) => {
  const page = await visitor(t);
  await open(page);
  await widget(page).getByRole("textbox", { name: "Zpráva" }).fill("doprava");
  const offered = widget(page).getByRole("group", { name: "Odpovědi, které mohou pomoci" });
  await offered.getByRole("button", { name: DELIVERY }).waitFor();
  await check(page, "answers offered");
  await offered.getByRole("button", { name: DELIVERY }).click();
  await widget(page).getByRole("region", { name: DELIVERY }).waitFor();
  await check(page, "answer");
});

test("messages, the unread badge, a refused message, the files tray and the rating", async (t) => {
  const page = await visitor(t);
  await open(page);
  await say(page, "Máte bundu v XL?");
  await widget(page).getByText("Doručeno").waitFor();
  const conversation = await conversationOf("Máte bundu v XL?");
  await widget(page).getByRole("button", { name: "Zavřít", exact: true }).click();
  assert.equal((await api.call("POST", `/api/conversations/${conversation.id}/join`)).status, 200);
  await api.reply(conversation.id, "Ano, XL máme skladem.");
  // The reply and the line saying who joined.
  await widget(page).getByLabel("2 nepřečtené zprávy").waitFor();
  await check(page, "unread badge");
  await open(page);
  await widget(page).getByText("Ano, XL máme skladem.").waitFor();
  await check(page, "messages");

  // Longer than the relay takes: refused, and shown so.
  await page.evaluate(() => window.Beseda.send("x".repeat(20_000)).catch(() => {}));
  await widget(page).getByText("Neodesláno", { exact: false }).waitFor();
  await check(page, "refused message");

  await widget(page).locator("input[type=file]").setInputFiles({ name: "balik.png", mimeType: "image/png", buffer: PNG });
  await widget(page).getByRole("group", { name: "Soubory k odeslání" }).getByText("balik.png").waitFor();
  await check(page, "files tray");
  await widget(page).getByRole("button", { name: "Odebrat: balik.png" }).click();
  await widget(page).getByRole("group", { name: "Soubory k odeslání" }).waitFor({ state: "hidden" });

  assert.equal((await api.call("POST", `/api/conversations/${conversation.id}/resolve`)).status, 200);
  await widget(page).getByRole("group", { name: "Jak jsme vám pomohli?" }).waitFor();
  await check(page, "rating");
  await widget(page).getByRole("radio", { name: "Spokojen(a)", exact: true }).check();
  await widget(page).getByRole("button", { name: "Odeslat hodnocení" }).click();
  await widget(page).getByText("Děkujeme za hodnocení!").waitFor();
  await check(page, "rated");
});

/** Resolves every open conversation, so that the operator has room again. */
async function resolveAll() {
  for (const conversation of await api.conversations()) {
    if (conversation.status !== "resolved") await api.call("POST", `/api/conversations/${conversation.id}/resolve`);
  }
}

/** Room for one chat per operator until `t` ends, the operator's open conversations resolved
 * first: the next visitor waits in the queue. */
async function oneChatEach(t) {
  await resolveAll();
  const settings = (await admin.call("GET", "/api/settings")).body;
  assert.equal((await admin.call("PUT", "/api/settings", { ...settings, maxChatsPerOperator: 1 })).status, 200);
  t.after(() => admin.call("PUT", "/api/settings", settings));
}

test("the queue place", async (t) => {
  await oneChatEach(t);
  const first = await visitor(t);
  await open(first);
  await say(first, "První dotaz");
  await conversationOf("První dotaz");
  const second = await visitor(t);
  await open(second);
  await say(second, "Druhý dotaz");
  await widget(second).getByText("Jste 1. v pořadí", { exact: false }).waitFor();
  await check(second, "queue place");
  await resolveAll();
});

/** How many of the widget's live regions (a log, a status, an alert or `aria-live`) hold `text`:
 * a screen reader says a line once for each. */
function liveRegionsHolding(page, text) {
  return page.evaluate((text) => {
    const root = document.querySelector("beseda-chat").shadowRoot;
    const live = root.querySelectorAll('[role="log"], [role="status"], [role="alert"], [aria-live]:not([aria-live="off"])');
    // A region inside another is announced by the outer one: count the outermost only.
    const outer = [...live].filter((region) => ![...live].some((other) => other !== region && other.contains(region)));
    return outer.filter((region) => region.textContent.includes(text)).length;
  }, text);
}

test("each state change is announced once: a message, an operator joining, the queue place, offline", async (t) => {
  await oneChatEach(t);
  const first = await visitor(t);
  await open(first);
  await say(first, "Kdo tu je?");
  const conversation = await conversationOf("Kdo tu je?");
  assert.equal((await api.call("POST", `/api/conversations/${conversation.id}/join`)).status, 200);
  await api.reply(conversation.id, "Dobrý den, tady Jana.");
  await widget(first).getByText("Dobrý den, tady Jana.").waitFor();
  const joined = (await api.conversation(conversation.id)).messages.find((message) => message.author === "system");
  assert.ok(joined, "the relay's line saying who joined");
  await widget(first).getByText(joined.text).waitFor();
  assert.equal(await liveRegionsHolding(first, "Dobrý den, tady Jana."), 1, "the operator's message");
  assert.equal(await liveRegionsHolding(first, joined.text), 1, "the operator joining");

  const second = await visitor(t);
  await open(second);
  await say(second, "Čekám ve frontě");
  await widget(second).getByText("Jste 1. v pořadí", { exact: false }).waitFor();
  assert.equal(await liveRegionsHolding(second, "Jste 1. v pořadí"), 1, "the queue place");

  assert.equal((await api.setOnline(false)).status, 200);
  t.after(() => api.setOnline(true));
  await widget(first).getByText("Právě nejsme k dispozici").first().waitFor();
  assert.equal(await liveRegionsHolding(first, "Právě nejsme k dispozici"), 1, "offline");
  await resolveAll();
});

test("with reduced motion the launcher, the window and the prompt move without animation", async (t) => {
  const context = await browser.newContext({ reducedMotion: "reduce" });
  t.after(() => context.close());
  const page = await openShop(context, `${relay.url}/demo/`);
  const styles = () =>
    page.evaluate(() => {
      const root = document.querySelector("beseda-chat").shadowRoot;
      const of = (selector) => getComputedStyle(root.querySelector(selector));
      return { window: of(".window").animationName, prompt: of(".prompt").animationName, launcher: of(".launcher").transitionDuration, running: root.getAnimations().length };
    });
  await open(page);
  assert.deepEqual(await styles(), { window: "none", prompt: "none", launcher: "0s", running: 0 });
  // Without the preference the window does rise: the check above can fail.
  const moving = await browser.newContext();
  t.after(() => moving.close());
  const other = await openShop(moving, `${relay.url}/demo/`);
  await open(other);
  assert.equal(await other.evaluate(() => getComputedStyle(document.querySelector("beseda-chat").shadowRoot.querySelector(".window")).animationName), "rise");
});

test("the contact form while nobody is online, and a conversation told so", async (t) => {
  const chatting = await visitor(t);
  await open(chatting);
  await say(chatting, "Jste tam?");
  await widget(chatting).getByText("Doručeno").waitFor();
  await api.setOnline(false);
  t.after(() => api.setOnline(true));
  await widget(chatting).getByRole("log").getByText("Právě nejsme k dispozici").waitFor();
  await check(chatting, "gone offline");
  const page = await visitor(t);
  await open(page);
  await widget(page).getByRole("textbox", { name: "E-mail" }).waitFor();
  await check(page, "contact form");
});

test("a site the relay does not serve: the notice", async (t) => {
  const page = await visitor(t, `${shop.url}/unknown`);
  await open(page);
  await eventually(async () => (await widget(page).locator(".notice").textContent()) !== "", "the notice");
  await check(page, "unavailable");
});

test("any accent keeps the contrast: text on it is white or black, the accent as text is darkened", async (t) => {
  for (const path of ["/pale", "/mid", "/dark"]) {
    const page = await visitor(t, `${shop.url}${path}`);
    await page.emulateMedia({ colorScheme: "light" });
    await open(page);
    await widget(page).getByText("Jsme tu pro vás").waitFor();
    await say(page, `Dotaz z ${path}`);
    await widget(page).getByText("Doručeno").waitFor();
    for (const [part, selector, on] of [
      ["the header", ".status", ".head"],
      ["the visitor's message", ".message.mine .text", ".message.mine"],
      ["the message's time", ".message.mine .meta", ".message.mine"],
      ["the launcher's icon", ".launcher", ".launcher"],
    ]) {
      const ratio = await contrast(page, selector, "color", "backgroundColor", on);
      assert.ok(ratio >= 4.5, `${path}: ${part} has ${ratio.toFixed(2)}:1`);
    }
    // The accent as a line on the window: the focus ring around the composer.
    for (const colorScheme of ["light", "dark"]) {
      await page.emulateMedia({ colorScheme });
      const ratio = await contrast(page, "textarea:focus-visible", "outlineColor", "backgroundColor", ".window");
      assert.ok(ratio >= 4.5, `${path} (${colorScheme}): the accent on the window has ${ratio.toFixed(2)}:1`);
    }
    await check(page, `accent ${path}`);
    // Black on the pale accent and on the grey one, white on the dark one: told apart by the
    // header text's contrast with the window's own dark text colour.
    const apart = await contrast(page, ".head", "color", "color", ".root");
    if (path === "/dark") assert.ok(apart >= 4.5, `${path}: white text on the dark accent`);
    else assert.ok(apart < 4.5, `${path}: black text on a light accent`);
  }
});

test("keyboard alone: open, write, attach a file, rate and close", async (t) => {
  const page = await visitor(t);
  await page.locator("body").focus();
  const launcher = widget(page).getByRole("button", { name: "Otevřít chat" });
  // Tab through the shop's page until the launcher has the focus.
  await eventually(async () => {
    await page.keyboard.press("Tab");
    return launcher.evaluate((element) => element.getRootNode().activeElement === element);
  }, "the launcher focused by Tab");
  await page.keyboard.press("Enter");
  const box = widget(page).getByRole("textbox", { name: "Zpráva" });
  await eventually(() => box.evaluate((element) => element.getRootNode().activeElement === element), "the composer focused");
  await page.keyboard.type("Píšu jen klávesnicí");
  await page.keyboard.press("Enter");
  await widget(page).getByText("Doručeno").waitFor();
  const conversation = await conversationOf("Píšu jen klávesnicí");

  // Back to the attach button, which opens the file picker.
  await page.keyboard.press("Shift+Tab");
  assert.equal(await widget(page).getByRole("button", { name: "Přiložit soubor" }).evaluate((element) => element.getRootNode().activeElement === element), true);
  const chosen = page.waitForEvent("filechooser");
  // One round trip to the page first: Playwright catches the picker only once its request to
  // do so has reached the browser, and a key press is quicker than a click to get there.
  await page.evaluate(() => 0);
  await page.keyboard.press("Enter");
  const chooser = await chosen;
  await chooser.setFiles({ name: "klavesnice.png", mimeType: "image/png", buffer: PNG });
  const tray = widget(page).getByRole("group", { name: "Soubory k odeslání" });
  await tray.getByText("klavesnice.png").waitFor();
  const sendFiles = tray.getByRole("button", { name: "Odeslat soubory" });
  await eventually(async () => {
    if (await sendFiles.evaluate((element) => element.getRootNode().activeElement === element)) return true;
    await page.keyboard.press("Tab");
    return false;
  }, "the tray's send button focused by Tab");
  await page.keyboard.press("Enter");
  await tray.waitFor({ state: "hidden" });
  await widget(page).locator(".message.mine .thumb").waitFor();

  assert.equal((await api.call("POST", `/api/conversations/${conversation.id}/resolve`)).status, 200);
  const satisfied = widget(page).getByRole("radio", { name: "Spokojen(a)", exact: true });
  await satisfied.waitFor();
  await eventually(async () => {
    if (await satisfied.evaluate((element) => element.getRootNode().activeElement === element)) return true;
    await page.keyboard.press("Tab");
    return false;
  }, "the first rating choice focused by Tab");
  await page.keyboard.press("Space");
  assert.equal(await satisfied.isChecked(), true);
  await page.keyboard.press("Tab");
  await page.keyboard.type("Vše klávesnicí");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await widget(page).getByText("Děkujeme za hodnocení!").waitFor();
  await eventually(async () => (await api.conversation(conversation.id)).rating === "satisfied", "the rating stored");

  await page.keyboard.press("Escape");
  await widget(page).getByRole("dialog").waitFor({ state: "hidden" });
  const reopen = widget(page).getByRole("button", { name: "Otevřít chat" });
  assert.equal(await reopen.evaluate((element) => element.getRootNode().activeElement === element), true, "the focus is back on the launcher");
});
