// A shop page whose `data-site` names a site the relay does not serve. The bug this guards:
// `Beseda.send` never settled (its promise hung), the page heard nothing, and the widget looked
// like a working chat that silently did nothing. Now the send is rejected with the relay's code,
// an `error` event tells the shop, the window shows a notice in the visitor's language, and the
// widget does not connect again: not on this page, and not at once on the next.
import assert from "node:assert/strict";
import { test } from "node:test";
import { sharedRelay, startShop, widget } from "./support.mjs";

const shared = sharedRelay();

const shopPage = (relayUrl, lang) => `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">
  <script async src="${relayUrl}/widget.js" data-site="no-such-shop"></script></head>
  <body><h1>Obchod</h1></body></html>`;

/** A page of the shop with every socket it opens counted (`window.socketsOpened`) and every
 * `error` event kept (`window.errors`), from before the widget starts. */
async function openShop(context, url) {
  const page = await context.newPage();
  await page.addInitScript(() => {
    const Native = window.WebSocket;
    window.socketsOpened = 0;
    window.WebSocket = class extends Native {
      constructor(...args) {
        super(...args);
        window.socketsOpened += 1;
      }
    };
  });
  await page.goto(url);
  await page.evaluate(() => new Promise((resolve) => {
    window.errors = [];
    window.Beseda.on("error", (error) => window.errors.push(error));
    window.Beseda.on("ready", resolve);
  }));
  return page;
}

/** `Beseda.send(text)` settled within ten seconds: `{ resolved }`, `{ rejected: { message, code } }`
 * or, when it did not settle in time, `{ hung: true }`. */
function sendWithin(page, text) {
  return page.evaluate((text) => Promise.race([
    window.Beseda.send(text).then(
      (message) => ({ resolved: message }),
      (error) => ({ rejected: { message: String(error && error.message), code: error && error.code } }),
    ),
    new Promise((resolve) => setTimeout(() => resolve({ hung: true }), 10_000)),
  ]), text);
}

test("Beseda.send on an unknown site rejects, tells the shop, and the window says the chat is not available", async () => {
  const shop = await startShop({ "/cs": shopPage(shared.relay.url, "cs") });
  const context = await shared.browser.newContext();
  const page = await openShop(context, `${shop.url}/cs`);
  // The socket's end, seen from outside the page: by then the widget has decided whether to retry.
  const closed = new Promise((resolve) => page.on("websocket", (socket) => socket.on("close", resolve)));

  const first = await sendWithin(page, "Dobrý den");
  assert.ok(!first.hung, "Beseda.send settled instead of hanging");
  assert.equal(first.resolved, undefined);
  assert.equal(first.rejected.code, "unknown_site");
  assert.match(first.rejected.message, /no-such-shop/);
  const errors = await page.evaluate(() => window.errors);
  assert.equal(errors.length, 1, "one error event");
  assert.equal(errors[0].code, "unknown_site");
  assert.match(errors[0].message, /no-such-shop/);
  // A handler added later hears it too, as a late `ready` handler does.
  assert.deepEqual(await page.evaluate(() => new Promise((resolve) => window.Beseda.on("error", resolve))), errors[0]);
  await closed;

  // A second send is rejected at once, without another socket; opening the window connects no more.
  const second = await sendWithin(page, "Haló?");
  assert.equal(second.rejected?.code, "unknown_site");
  await page.evaluate(() => window.Beseda.open());
  const chat = widget(page);
  await chat.getByText("Chat tu není k dispozici.").waitFor({ timeout: 5_000 });
  assert.ok(await chat.getByText("Chat tu není k dispozici.").isVisible());
  // No chat that does nothing: no composer, no greeting, no message left "sending", no retrying.
  assert.equal(await chat.getByRole("textbox", { name: "Zpráva" }).isVisible(), false);
  assert.equal(await chat.getByText("Dobrý den! S čím vám můžeme pomoci?").isVisible(), false);
  assert.equal(await chat.getByText("Odesílá se").count(), 0);
  assert.equal(await chat.getByText("Obnovuji spojení…").count(), 0);
  assert.equal(await page.evaluate(() => window.socketsOpened), 1, "one socket, never reopened");
  assert.equal(await page.evaluate(() => window.errors.length), 1, "the error is told once");

  // The next page of the shop does not connect at once only to be refused again: nothing was
  // left waiting in the browser.
  const next = await openShop(context, `${shop.url}/cs`);
  assert.equal(await next.evaluate(() => window.socketsOpened), 0, "no socket before the visitor asks for the chat");
  await context.close();
  await shop.close();
});

test("a visitor who opens the chat on an unknown site reads the notice in their language", async () => {
  const shop = await startShop({ "/en": shopPage(shared.relay.url, "en"), "/de": shopPage(shared.relay.url, "de") });
  for (const [path, launcher, notice, composer] of [
    ["/en", "Open chat", "Chat is not available here.", "Message"],
    ["/de", "Chat öffnen", "Der Chat ist hier nicht verfügbar.", "Nachricht"],
  ]) {
    const context = await shared.browser.newContext();
    const page = await openShop(context, `${shop.url}${path}`);
    await widget(page).getByRole("button", { name: launcher }).click();
    await widget(page).getByText(notice).waitFor({ timeout: 5_000 });
    assert.equal(await widget(page).getByRole("textbox", { name: composer }).isVisible(), false);
    const errors = await page.evaluate(() => window.errors);
    assert.deepEqual(errors.map((error) => error.code), ["unknown_site"]);
    await context.close();
  }
  await shop.close();
});
