// When the relay's storage fails for a moment (a database at its size cap, as a full disk):
// what the visitor and the operator write meanwhile waits in their outboxes as "sending", none
// refused, and reaches the conversation once, in order, when room returns, without anyone
// writing it again.
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { OPERATOR, eventually, launch, openShop, operatorApi, prepareDatabase, startRelay, startThrowaway, widget } from "./support.mjs";

/** How many more messages the visitor writes after the first one the relay could not store. */
const WRITTEN_WHILE_FULL = 3;

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser.close();
});

/** What the widget's socket received: acknowledgements and `unavailable` answers, by client id. */
function watchFrames(page) {
  const frames = { acks: [], unavailable: [], refused: [], sockets: 0 };
  page.on("websocket", (socket) => {
    frames.sockets += 1;
    socket.on("framereceived", ({ payload }) => {
      const frame = JSON.parse(payload);
      if (frame.type === "ack") frames.acks.push(frame.clientId);
      if (frame.type === "error" && frame.code === "unavailable" && frame.clientId) frames.unavailable.push(frame.clientId);
      if (frame.type === "error" && frame.code !== "unavailable" && frame.clientId) frames.refused.push(frame);
    });
  });
  return frames;
}

/** Opens the console, signs the test operator in and goes online. */
async function signIn(context, relay) {
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (error) => page.errors.push(error.message));
  page.sockets = 0;
  page.on("websocket", () => (page.sockets += 1));
  await page.goto(`${relay.url}/console/`);
  await page.getByLabel("Email").fill(OPERATOR.email);
  await page.getByLabel("Password").fill(OPERATOR.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("switch", { name: "Available" }).check();
  return page;
}

/**
 * A visitor on the demo shop writes `first`, the operator signed in on `console` opens the
 * conversation; what the test writes with next.
 */
async function startChat(visitor, console, relay, api, first) {
  const shop = await openShop(visitor, `${relay.url}/demo/`);
  const frames = watchFrames(shop);
  const box = widget(shop).getByRole("textbox", { name: "Zpráva" });
  const say = async (text) => {
    await box.fill(text);
    await box.press("Enter");
  };
  await widget(shop).getByRole("button", { name: "Otevřít chat" }).click();
  await say(first);
  await widget(shop).getByText("Doručeno").waitFor();
  const [conversation] = await eventually(api.conversations, "the conversation");
  await console.getByRole("list", { name: "Conversations" }).getByRole("button").first().click();
  const composer = console.getByRole("textbox", { name: "Message" });
  await composer.waitFor();
  return { shop, frames, say, conversation, composer };
}

/**
 * Every message the visitor wrote is stored once, in order, and the operator's reply once; both
 * outboxes empty.
 */
async function expectDelivered({ api, conversation, written, reply, log, messages }) {
  const stored = async () => {
    const detail = await api.conversation(conversation.id);
    const visitorTexts = detail.messages.filter((message) => message.author === "visitor").map((message) => message.text);
    const operatorTexts = detail.messages.filter((message) => message.author === "operator").map((message) => message.text);
    return visitorTexts.length >= written.length && operatorTexts.length >= 1 && { visitorTexts, operatorTexts };
  };
  const { visitorTexts, operatorTexts } = await eventually(stored, "every message stored", 60_000);
  assert.deepEqual(visitorTexts, written, "every message the visitor wrote, once, in order");
  assert.deepEqual(operatorTexts, [reply], "the operator's reply, once");
  await eventually(async () => (await log.getByText("Odesílá se").count()) === 0, "the widget's outbox emptied", 30_000);
  await eventually(async () => (await messages.getByText("Sending…").count()) === 0, "the console's reply acknowledged", 30_000);
}

test("messages written while the database is full reach the operator once, in order, when room returns", async (t) => {
  const directory = mkdtempSync(join(tmpdir(), "beseda-outage-"));
  const db = join(directory, "beseda.db");
  prepareDatabase(db);
  // Room for a dozen or so of the visitor's long messages past what the fresh database takes.
  const cap = statSync(db).size + 48 * 1024;
  let relay = await startRelay({ directory, args: ["--db-max-bytes", String(cap)] });
  const operator = await browser.newContext({ viewport: { width: 1366, height: 800 } });
  const visitor = await browser.newContext();
  t.after(async () => {
    await operator.close();
    await visitor.close();
    await relay.stop();
    relay.cleanup();
  });
  const api = await operatorApi(relay);
  const console = await signIn(operator, relay);

  const written = ["Dobrý den, máte bundu Alpina v XL?"];
  const { shop, frames, say, conversation, composer } = await startChat(visitor, console, relay, api, written[0]);

  // The visitor writes until the relay cannot store any more, each message answered before
  // the next is written.
  const filler = " Popis toho, co hledám, do všech podrobností.".repeat(30);
  while (frames.unavailable.length === 0) {
    assert.ok(written.length < 200, "the database never filled");
    const text = `Zpráva ${written.length}.${filler}`;
    written.push(text);
    await say(text);
    const answered = written.length;
    await eventually(() => frames.acks.length + frames.unavailable.length >= answered, `an answer to message ${answered}`);
  }
  const storedBefore = frames.acks.length;
  for (let more = 1; more <= WRITTEN_WHILE_FULL; more += 1) {
    const text = `Ještě jedna, číslo ${more}.`;
    written.push(text);
    await say(text);
  }
  const waiting = written.length - storedBefore;
  const log = widget(shop).getByRole("log");
  await eventually(async () => (await log.getByText("Odesílá se").count()) === waiting, `${waiting} messages shown as sending`);
  assert.equal(await log.getByText("Neodesláno").count(), 0, "none is shown as refused");
  assert.deepEqual(frames.refused, []);

  // The operator replies while the database is full (as long as the visitor's last message, so
  // that it does not fit either): the reply waits as "Sending…".
  const reply = `Omlouváme se, hned se na to podíváme.${filler}`;
  await composer.fill(reply);
  await composer.press("Enter");
  const messages = console.getByRole("log", { name: "Messages" });
  await messages.getByText("Sending…").waitFor();
  assert.equal(await messages.getByText("Not sent", { exact: false }).count(), 0);

  // Room returns: the same file, without the cap, on the same port.
  await relay.stop();
  relay = await startRelay({ port: relay.port, directory });

  await expectDelivered({ api, conversation, written, reply, log, messages });
  // Nothing was stored twice meanwhile: the conversation holds what was written and the reply.
  const detail = await api.conversation(conversation.id);
  assert.equal(detail.messages.filter((message) => message.author !== "system").length, written.length + 1);
  assert.deepEqual(shop.errors, []);
  assert.deepEqual(console.errors, []);
});

test("PostgreSQL stopped and started again under a chat: what both sides wrote meanwhile arrives once, in order, on the same sockets", async (t) => {
  const postgres = await startThrowaway(["postgres"]);
  prepareDatabase(postgres.url);
  const relay = await startRelay({ db: postgres.url });
  const operator = await browser.newContext({ viewport: { width: 1366, height: 800 } });
  const visitor = await browser.newContext();
  t.after(async () => {
    await operator.close();
    await visitor.close();
    await relay.stop();
    relay.cleanup();
    await postgres.stop();
  });
  const api = await operatorApi(relay);
  const console = await signIn(operator, relay);

  const written = ["Dobrý den, kdy mi přijde objednávka?"];
  const { shop, frames, say, conversation, composer } = await startChat(visitor, console, relay, api, written[0]);
  const messages = console.getByRole("log", { name: "Messages" });
  await messages.getByText(written[0], { exact: true }).waitFor();

  // The database goes away (a restart, a failover); both keep writing.
  await postgres.pause();
  const health = async () => {
    const response = await fetch(`${relay.url}/healthz`);
    return { status: response.status, text: await response.text() };
  };
  for (const text of ["Ještě jedna otázka.", "Máte i modrou barvu?", "Děkuji."]) {
    written.push(text);
    await say(text);
  }
  await eventually(() => frames.unavailable.length > 0, "an unavailable answer");
  const log = widget(shop).getByRole("log");
  await eventually(async () => (await log.getByText("Odesílá se").count()) === 3, "3 messages shown as sending");
  assert.equal(await log.getByText("Neodesláno").count(), 0, "none is shown as refused");
  const reply = "Objednávka odešla včera, zítra ji máte doma.";
  await composer.fill(reply);
  await composer.press("Enter");
  await messages.getByText("Sending…").waitFor();
  const during = await health();
  assert.equal(during.status, 503, "the relay tells a balancer to steer away");
  assert.match(during.text, /storage unavailable/);

  // The database comes back: nobody reloads, reconnects or writes anything again.
  await postgres.resume();
  await expectDelivered({ api, conversation, written, reply, log, messages });
  await widget(shop).getByText(reply).waitFor();
  await messages.getByText(written.at(-1), { exact: true }).waitFor();
  assert.equal(frames.sockets, 1, "the widget sent them again on its one socket");
  assert.equal(console.sockets, 1, "the console sent its reply again on its one socket");
  await eventually(async () => (await health()).status === 200, "the relay healthy again");
  const detail = await api.conversation(conversation.id);
  assert.equal(detail.messages.filter((message) => message.author !== "system").length, written.length + 1);
  assert.deepEqual(shop.errors, []);
  assert.deepEqual(console.errors, []);
});
