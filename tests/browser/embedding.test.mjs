// How the widget sits in a shop's page: another origin with hostile CSS, phones, and its size.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { test } from "node:test";
import { settled, sharedRelay, startShop, widget } from "./support.mjs";

const shared = sharedRelay();

const HOSTILE_CSS = `
  * { all: unset !important; font-family: "Comic Sans MS", cursive !important; font-size: 31px !important;
      color: #f0f !important; background: #0f0 !important; border: 7px dashed red !important; }
  button, section, div, textarea, form, p { display: block !important; position: static !important; width: 13px !important; }
  body > * { visibility: visible !important; opacity: .5 !important; transform: rotate(3deg) !important; }`;

const shopPage = (relayUrl, css) => `<!doctype html><html lang="cs"><head><meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <style>${css}</style>
  <script async src="${relayUrl}/widget.js" data-site="demo"></script></head>
  <body><h1 id="title">Obchod</h1><p>Obsah obchodu.</p></body></html>`;

/** Every element in the widget's shadow root with its box and the styles that make its look. */
function snapshot(page) {
  return page.evaluate(() => {
    const root = document.querySelector("beseda-chat").shadowRoot;
    const keys = ["display", "position", "width", "height", "color", "backgroundColor", "fontFamily", "fontSize", "borderTopWidth", "borderRadius"];
    return [...root.querySelectorAll("*")].filter((element) => element.tagName !== "STYLE").map((element) => {
      const style = getComputedStyle(element);
      const box = element.getBoundingClientRect();
      return { tag: element.tagName, box: [box.x, box.y, box.width, box.height].map(Math.round), ...Object.fromEntries(keys.map((key) => [key, style[key]])) };
    });
  });
}

async function openOn(url) {
  const context = await shared.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(url);
  await page.evaluate(() => new Promise((resolve) => window.Beseda.on("ready", resolve)));
  await widget(page).getByRole("button", { name: "Otevřít chat" }).click();
  await widget(page).getByText("Jsme tu pro vás").waitFor();
  // Compare the widget at rest: let its opening animation finish.
  await settled(page);
  return { context, page };
}

test("a shop on another origin with hostile CSS gets the same widget, and keeps its own page", async () => {
  const shop = await startShop({ "/plain": shopPage(shared.relay.url, ""), "/hostile": shopPage(shared.relay.url, HOSTILE_CSS) });
  const plain = await openOn(`${shop.url}/plain`);
  const hostile = await openOn(`${shop.url}/hostile`);
  assert.deepEqual(await snapshot(hostile.page), await snapshot(plain.page));

  // The widget's own styles do not reach the shop: the shop's heading looks as the shop made it.
  const heading = await plain.page.evaluate(() => {
    const style = getComputedStyle(document.getElementById("title"));
    return { font: style.fontFamily, size: style.fontSize, children: document.body.children.length };
  });
  assert.equal(heading.size, "32px");
  assert.ok(!heading.font.includes("system-ui"));
  assert.equal(heading.children, 3, "the widget added one element to the shop's body, nothing else");
  await plain.context.close();
  await hostile.context.close();
  await shop.close();
});

test("a shop with a strict Content Security Policy and Trusted Types gets a working widget", async () => {
  // Only what README.md tells shops to allow: the relay's scripts and WebAssembly, its
  // connections; no inline styles, no markup sinks (Trusted Types allow none).
  const relay = shared.relay.url;
  const policy = [
    "default-src 'none'", `script-src ${relay} 'wasm-unsafe-eval'`, `connect-src ${relay} ${relay.replace(/^http/, "ws")}`,
    "require-trusted-types-for 'script'", "trusted-types 'none'",
  ].join("; ");
  const shop = await startShop({
    "/strict": `<!doctype html><html lang="cs"><head><meta charset="utf-8">
      <meta http-equiv="Content-Security-Policy" content="${policy}">
      <script async src="${relay}/widget.js" data-site="demo" data-color="#b91c1c"></script></head>
      <body><h1>Obchod</h1></body></html>`,
  });
  const context = await shared.browser.newContext();
  try {
    const page = await context.newPage();
    await page.addInitScript(() => {
      window.violations = [];
      window.addEventListener("securitypolicyviolation", (event) => window.violations.push(`${event.violatedDirective} ${event.blockedURI}`), true);
    });
    const errors = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${shop.url}/strict`);
    // A widget the policy stops never gets ready: give up after a while, saying what was refused.
    await page.evaluate(() => new Promise((resolve, reject) => {
      window.Beseda.on("ready", resolve);
      setTimeout(() => reject(new Error(`not ready; refused: ${window.violations.join(", ")}`)), 30_000);
    }));
    await widget(page).getByRole("button", { name: "Otevřít chat" }).click();
    await widget(page).getByRole("dialog").waitFor();
    // Styled: the launcher keeps its fixed corner and the shop's accent colour.
    const look = await page.evaluate(() => {
      const root = document.querySelector("beseda-chat").shadowRoot;
      const launcher = root.querySelector(".launcher");
      return { position: getComputedStyle(root.querySelector(".root")).position, background: getComputedStyle(launcher).backgroundColor };
    });
    assert.deepEqual(look, { position: "fixed", background: "rgb(185, 28, 28)" });
    await widget(page).getByRole("textbox", { name: "Zpráva" }).fill("Dobrý den, máte přísné CSP?");
    await widget(page).getByRole("textbox", { name: "Zpráva" }).press("Enter");
    await widget(page).getByText("Doručeno").waitFor();
    assert.deepEqual(await page.evaluate(() => window.violations), []);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await shop.close();
  }
});

test("on a phone the open chat fills the screen", async () => {
  const context = await shared.browser.newContext({ viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await page.goto(`${shared.relay.url}/demo/`);
  await page.evaluate(() => new Promise((resolve) => window.Beseda.on("ready", resolve)));
  await widget(page).getByRole("button", { name: "Otevřít chat" }).click();
  const dialog = widget(page).getByRole("dialog");
  await dialog.waitFor();
  await settled(page);
  const box = await dialog.boundingBox();
  assert.deepEqual([box.x, box.y, box.width, box.height].map(Math.round), [0, 0, 375, 667]);
  // Nothing covers the composer: Playwright clicks only what would really receive the click.
  await widget(page).getByRole("textbox", { name: "Zpráva" }).fill("Píšu z telefonu");
  await widget(page).getByRole("button", { name: "Odeslat" }).click({ timeout: 5_000 });
  await widget(page).getByText("Doručeno").waitFor();
  await page.screenshot({ path: resolve(process.env.BESEDA_SCREENSHOTS ?? "../../target", "widget-phone.png") });
  await widget(page).getByRole("button", { name: "Zavřít", exact: true }).click();
  await assert.rejects(dialog.waitFor({ timeout: 1 }));
  await context.close();
});

test("the widget stays within its byte budget", () => {
  const sizes = JSON.parse(readFileSync(resolve(process.env.BESEDA_DIST ?? "../../target/dist", "sizes.json"), "utf8"));
  assert.ok(sizes.loader <= 2 * 1024, `the loader is ${sizes.loader} B of brotli, over 2 KB`);
  // Everything downloaded until a visitor can chat: the 60 KB target (the hard limit is 100 KB).
  assert.ok(sizes.widgetTotal <= 60 * 1024, `the widget is ${sizes.widgetTotal} B of brotli, over 60 KB`);
});
