// The widget in Chromium against the real relay: chatting, markup, navigation, the API queue,
// a relay crash mid-chat, and the offline contact form.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { eventually, launch, openShop, operatorApi, startRelay, widget } from "./support.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser.close();
});

/** A relay with the operator online, and a fresh browser profile; both go when the test ends,
 * whatever its outcome. */
async function setUp(t) {
  const relay = await startRelay();
  const api = await operatorApi(relay);
  await api.setOnline(true);
  const context = await browser.newContext();
  const setup = { relay, api, context };
  t.after(async () => {
    await setup.context.close();
    await setup.relay.stop();
    setup.relay.cleanup();
  });
  return setup;
}

async function say(page, text) {
  await widget(page).getByRole("textbox", { name: "Zpráva" }).fill(text);
  await widget(page).getByRole("textbox", { name: "Zpráva" }).press("Enter");
}

test("a visitor chats with an operator, end to end", async (t) => {
  const setup = await setUp(t);
  const { relay, api, context } = setup;
  const page = await openShop(context, `${relay.url}/demo/`);
  await page.evaluate(() => {
    window.seen = [];
    window.Beseda.on("message", (message) => window.seen.push(message));
  });
  await widget(page).getByRole("button", { name: "Otevřít chat" }).click();
  await assert.doesNotReject(widget(page).getByText("Jsme tu pro vás").waitFor());
  await say(page, "Dobrý den, máte bundu Alpina v XL?");
  await widget(page).getByText("Doručeno").waitFor();

  const [conversation] = await eventually(api.conversations, "the conversation");
  assert.equal(conversation.lastMessage.text, "Dobrý den, máte bundu Alpina v XL?");
  assert.equal((await api.reply(conversation.id, "Ano, XL máme skladem.")).status, 201);
  await widget(page).getByText("Ano, XL máme skladem.").waitFor();
  await widget(page).getByText("Jana", { exact: true }).first().waitFor();

  const seen = await page.evaluate(() => window.seen);
  assert.deepEqual(seen.map((message) => [message.author, message.text]), [
    ["visitor", "Dobrý den, máte bundu Alpina v XL?"],
    ["operator", "Ano, XL máme skladem."],
  ]);
  assert.ok(seen.every((message) => typeof message.id === "number" && !Number.isNaN(Date.parse(message.sentAt))));
  assert.deepEqual(page.errors, []);
});

test("markup in messages stays text", async (t) => {
  const setup = await setUp(t);
  const { relay, api, context } = setup;
  const page = await openShop(context, `${relay.url}/demo/`);
  await widget(page).getByRole("button", { name: "Otevřít chat" }).click();
  const markup = `<img src=x onerror="window.pwned=1"><b>tučně</b>`;
  await say(page, markup);
  await widget(page).getByText("Doručeno").waitFor();
  const [conversation] = await eventually(api.conversations, "the conversation");
  await api.reply(conversation.id, `<script>window.pwned=2</script><i>kurzíva</i>`);
  await widget(page).getByText("<i>kurzíva</i>", { exact: false }).waitFor();

  const inside = await page.evaluate(() => {
    const log = document.querySelector("beseda-chat").shadowRoot.querySelector(".log");
    return { images: log.querySelectorAll("img, b, i, script").length, text: log.textContent, pwned: window.pwned };
  });
  assert.equal(inside.images, 0, "no element was made from a message");
  assert.ok(inside.text.includes(markup));
  assert.ok(inside.text.includes("<script>window.pwned=2</script><i>kurzíva</i>"));
  assert.equal(inside.pwned, undefined);
});

test("the conversation follows the visitor across pages", async (t) => {
  const setup = await setUp(t);
  const { relay, context } = setup;
  const page = await openShop(context, `${relay.url}/demo/`);
  await widget(page).getByRole("button", { name: "Otevřít chat" }).click();
  await say(page, "Hledám bundu do hor");
  await widget(page).getByText("Doručeno").waitFor();

  await page.goto(`${relay.url}/demo/product.html`);
  await page.evaluate(() => new Promise((resolve) => window.Beseda.on("ready", resolve)));
  await widget(page).getByRole("button", { name: "Otevřít chat" }).click();
  await widget(page).getByText("Hledám bundu do hor").waitFor();
  assert.equal(await widget(page).getByText("Hledám bundu do hor").count(), 1);
});

test("calls made before the widget is ready are queued", async (t) => {
  const setup = await setUp(t);
  const { relay, api, context } = setup;
  const page = await context.newPage();
  // Hold the widget's WebAssembly until the early calls are made: it cannot be ready before.
  let release;
  const held = new Promise((resolveHold) => (release = resolveHold));
  await page.route("**/widget/*.wasm", async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(`${relay.url}/demo/`);
  const early = await page.evaluate(() => {
    window.order = [];
    window.Beseda.on("ready", () => window.order.push("ready"));
    const sent = window.Beseda.send("odesláno před startem").then((message) => {
      window.order.push("sent");
      return message;
    });
    return { readyBefore: window.order.includes("ready"), sent: sent.then((message) => message.text) };
  });
  assert.equal(early.readyBefore, false);
  release();
  assert.equal(await page.evaluate(() => window.Beseda.send("druhá")).then((m) => m.text), "druhá");
  assert.deepEqual(await page.evaluate(() => window.order), ["ready", "sent"]);
  const [conversation] = await eventually(api.conversations, "the conversation");
  const detail = await api.conversation(conversation.id);
  assert.deepEqual(detail.messages.map((message) => message.text), ["odesláno před startem", "druhá"]);
});

test("a message written while the relay is down arrives once it is back, once", async (t) => {
  const setup = await setUp(t);
  let { relay } = setup;
  const { context } = setup;
  const page = await openShop(context, `${relay.url}/demo/`);
  await widget(page).getByRole("button", { name: "Otevřít chat" }).click();
  await say(page, "první");
  await widget(page).getByText("Doručeno").waitFor();

  await relay.kill();
  // Said in the header and announced once by the log.
  await widget(page).getByRole("log").getByText("Obnovuji spojení…").waitFor();
  await say(page, "napsáno během výpadku");
  await widget(page).getByText("Odesílá se").waitFor();

  relay = await relay.restart();
  setup.relay = relay;
  await eventually(async () => (await widget(page).getByText("Doručeno").count()) === 2, "both messages delivered");
  const api = await operatorApi(relay);
  const [conversation] = await api.conversations();
  const detail = await api.conversation(conversation.id);
  assert.deepEqual(detail.messages.map((message) => message.text), ["první", "napsáno během výpadku"]);
});

test("with nobody online the chat becomes a contact form", async (t) => {
  const setup = await setUp(t);
  const { relay, api, context } = setup;
  await api.setOnline(false);
  const page = await openShop(context, `${relay.url}/demo/`);
  await widget(page).getByRole("button", { name: "Otevřít chat" }).click();
  await widget(page).getByText("Teď tu nikdo není").waitFor();
  await widget(page).getByRole("textbox", { name: "E-mail" }).fill("petr@example.cz");
  await widget(page).getByRole("textbox", { name: "Zpráva" }).fill("Prosím o zavolání");
  await widget(page).getByRole("button", { name: "Odeslat" }).click();
  await widget(page).getByText("Děkujeme, odpověď pošleme na váš e-mail.").waitFor();
  const [conversation] = await eventually(api.conversations, "the conversation");
  assert.equal(conversation.visitor.email, "petr@example.cz");
  assert.equal(conversation.lastMessage.text, "Prosím o zavolání");
});
