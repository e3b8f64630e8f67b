// Two relays on one PostgreSQL behind nginx, as a shop that has outgrown one machine runs them:
// the widget on the shop's own site and the operator's console both reach the relays through
// nginx.
// The relay the visitor's socket is on is killed with SIGKILL while the visitor writes, and the
// conversation goes on through the other relay: every message once, in order, on both sides.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { METRICS_TOKEN, OPERATOR, eventually, launch, openShop, operatorApi, prepareDatabase, startRelay, startShop, startThrowaway, widget } from "./support.mjs";

/** Reconnecting takes the widget's and the console's back-off; more than the usual patience. */
const PATIENCE = 30_000;

let browser;
let postgres;
before(async () => {
  browser = await launch();
  postgres = await startThrowaway(["postgres"]);
});
after(async () => {
  await browser.close();
  await postgres.stop();
});

/** The sockets a relay has open, from its own `/metrics` (asked directly, not through nginx). */
async function connections(relay) {
  const response = await fetch(`${relay.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  assert.equal(response.status, 200);
  const metrics = await response.text();
  const value = (name) => {
    const line = metrics.split("\n").find((line) => line.startsWith(`${name} `));
    assert.ok(line, `no ${name} in the metrics`);
    return Number(line.split(" ")[1]);
  };
  return { visitors: value("beseda_visitor_connections"), operators: value("beseda_operator_connections") };
}

/** The texts of the widget's delivered messages, by author (`mine` or `theirs`), in order. */
function widgetTexts(page, author) {
  return page.evaluate(
    (author) => [...document.querySelector("beseda-chat").shadowRoot.querySelectorAll(`.message.${author}:not(.pending) .text`)].map((text) => text.textContent),
    author,
  );
}

/** The texts of the console's open conversation, by author (`visitor` or `operator`), in order. */
function consoleTexts(page, author) {
  return page.evaluate(
    (author) => [...document.querySelectorAll(`[role="log"][aria-label="Messages"] li.message.${author}:not(.pending) .text`)].map((text) => text.textContent),
    author,
  );
}

test("the relay a visitor is on dies mid-chat and the conversation goes on through the other, nothing lost or doubled", async (t) => {
  prepareDatabase(postgres.url);
  // The shop's site, on an origin of its own; its page is written once nginx's address is known.
  const pages = {};
  const site = await startShop(pages);
  // nginx connects from 127.0.0.1: trusted, so that the relays count the visitor by their own
  // address rather than all visitors as one. Only the shop's origin may embed the widget.
  const relayArgs = ["--trusted-proxy", "127.0.0.1", "--allow-origin", site.url];
  const relays = [await startRelay({ db: postgres.url, args: relayArgs }), await startRelay({ db: postgres.url, args: relayArgs })];
  const running = new Set(relays);
  const nginx = await startThrowaway(["nginx", ...relays.flatMap((relay) => ["--upstream", `127.0.0.1:${relay.port}`])]);
  pages["/"] = `<!doctype html><html lang="cs"><head><meta charset="utf-8">
    <script async src="${nginx.url}/widget.js" data-site="demo"></script></head>
    <body><h1>Horská bunda</h1></body></html>`;
  const operatorContext = await browser.newContext({ viewport: { width: 1366, height: 800 } });
  const visitorContext = await browser.newContext();
  t.after(async () => {
    await operatorContext.close();
    await visitorContext.close();
    await nginx.stop();
    await site.close();
    for (const relay of running) await relay.stop();
    for (const relay of relays) relay.cleanup();
  });

  // The operator signs in to the console through nginx and goes online.
  const api = await operatorApi({ url: nginx.url });
  const console = await operatorContext.newPage();
  console.errors = [];
  console.on("pageerror", (error) => console.errors.push(error.message));
  await console.goto(`${nginx.url}/console/`);
  await console.getByLabel("Email").fill(OPERATOR.email);
  await console.getByLabel("Password").fill(OPERATOR.password);
  await console.getByRole("button", { name: "Sign in" }).click();
  await console.getByRole("switch", { name: "Available" }).check();
  const online = async () => (await api.call("GET", "/api/operators")).body.some((operator) => operator.email === OPERATOR.email && operator.online);
  await eventually(online, "the operator online", PATIENCE);

  // A visitor on the shop, whose widget talks to the relays through nginx, writes; the operator
  // answers from the console.
  const shop = await openShop(visitorContext, `${site.url}/`);
  await shop.evaluate(() => {
    window.seen = [];
    window.Beseda.on("message", (message) => window.seen.push(message));
  });
  await widget(shop).getByRole("button", { name: "Otevřít chat" }).click();
  const box = widget(shop).getByRole("textbox", { name: "Zpráva" });
  await box.fill("Dobrý den, jedu na hory.");
  await box.press("Enter");
  await widget(shop).getByText("Doručeno").waitFor();
  const list = console.getByRole("list", { name: "Conversations" });
  await list.getByRole("listitem").filter({ hasText: "Dobrý den, jedu na hory." }).getByRole("button").click();
  const composer = console.getByRole("textbox", { name: "Message" });
  const log = console.getByRole("log", { name: "Messages" });
  await log.getByText("Dobrý den, jedu na hory.", { exact: true }).waitFor();
  await composer.fill("Dobrý den, s čím poradím?");
  await composer.press("Enter");
  await widget(shop).getByText("Dobrý den, s čím poradím?").waitFor();

  // Which relay holds the visitor's socket: exactly one of the two.
  const counts = await eventually(async () => {
    const counts = await Promise.all(relays.map(connections));
    return counts.reduce((sum, count) => sum + count.visitors, 0) === 1 && counts;
  }, "the visitor's socket counted on one relay", PATIENCE);
  const doomed = relays[counts.findIndex((count) => count.visitors === 1)];
  const survivor = relays.find((relay) => relay !== doomed);
  t.diagnostic(`the console was on the ${counts[relays.indexOf(doomed)].operators === 1 ? "same relay as the visitor" : "other relay"}`);

  // The visitor keeps writing: three messages each acknowledged, three sent at once and the
  // relay killed right after (before, or while, it stores and acknowledges them), two more
  // while the widget is reconnecting. The page calls for the kill itself, so the order of the
  // sends and the kill is fixed.
  await shop.exposeFunction("killTheVisitorsRelay", async () => {
    await doomed.kill();
    running.delete(doomed);
  });
  const acknowledgedBefore = ["Zpráva 1", "Zpráva 2", "Zpráva 3"];
  const inFlight = ["Zpráva 4", "Zpráva 5", "Zpráva 6"];
  const afterTheKill = ["Zpráva 7", "Zpráva 8"];
  const written = await shop.evaluate(
    async ({ acknowledgedBefore, inFlight, afterTheKill, patience }) => {
      // A send that never settles fails the test, naming the message, instead of hanging it.
      const send = (text) =>
        Promise.race([
          window.Beseda.send(text),
          new Promise((_, reject) => setTimeout(() => reject(new Error(`the send of "${text}" did not settle`)), patience)),
        ]);
      const acknowledged = [];
      for (const text of acknowledgedBefore) acknowledged.push(await send(text));
      const flying = inFlight.map(send);
      const settledBeforeKill = new Set();
      flying.forEach((sending, index) => sending.then(() => settledBeforeKill.add(index)));
      await window.killTheVisitorsRelay();
      const acknowledgedAtKill = settledBeforeKill.size;
      const later = afterTheKill.map(send);
      const rest = await Promise.all([...flying, ...later]);
      return { messages: [...acknowledged, ...rest].map(({ id, text }) => ({ id, text })), acknowledgedAtKill };
    },
    { acknowledgedBefore, inFlight, afterTheKill, patience: PATIENCE },
  );
  t.diagnostic(`${written.acknowledgedAtKill} of the ${inFlight.length} messages in flight were acknowledged before the kill`);
  const visitorTexts = ["Dobrý den, jedu na hory.", ...acknowledgedBefore, ...inFlight, ...afterTheKill];
  assert.deepEqual(
    written.messages.map((message) => message.text),
    visitorTexts.slice(1),
    "every send resolved with its own message",
  );
  assert.equal(new Set(written.messages.map((message) => message.id)).size, written.messages.length, "every message has its own id");

  // The widget is on the relay left: through nginx, which skips the dead one.
  await eventually(async () => (await connections(survivor)).visitors === 1, "the visitor's socket on the relay left", PATIENCE);
  await widget(shop).getByText("Obnovuji spojení…").waitFor({ state: "detached", timeout: PATIENCE });

  // The operator answers after the kill; the console may have been on the dead relay too.
  await log.getByText("Zpráva 8", { exact: true }).waitFor({ timeout: PATIENCE });
  await console.getByText("Reconnecting…").waitFor({ state: "detached", timeout: PATIENCE });
  await composer.fill("Všechno máme, i po výpadku.");
  await composer.press("Enter");
  await widget(shop).getByText("Všechno máme, i po výpadku.").waitFor({ timeout: PATIENCE });

  // Once, in order, everywhere: in the widget, in its message events, in the console, in the store.
  const operatorTexts = ["Dobrý den, s čím poradím?", "Všechno máme, i po výpadku."];
  assert.deepEqual(await widgetTexts(shop, "mine"), visitorTexts);
  assert.deepEqual(await widgetTexts(shop, "theirs"), operatorTexts);
  const seen = await shop.evaluate(() => window.seen.map(({ id, author, text }) => ({ id, author, text })));
  assert.deepEqual(seen.filter((message) => message.author === "visitor").map((message) => message.text), visitorTexts);
  assert.deepEqual(seen.filter((message) => message.author === "operator").map((message) => message.text), operatorTexts);
  assert.equal(new Set(seen.map((message) => message.id)).size, seen.length, "no message event twice");
  await eventually(async () => (await consoleTexts(console, "operator")).length === operatorTexts.length, "the reply in the console", PATIENCE);
  assert.deepEqual(await consoleTexts(console, "visitor"), visitorTexts);
  assert.deepEqual(await consoleTexts(console, "operator"), operatorTexts);
  const [conversation] = await api.conversations();
  const stored = (await api.conversation(conversation.id)).messages;
  assert.deepEqual(
    stored.map((message) => message.seq),
    stored.map((_, index) => index + 1),
    "the conversation's positions have no gap",
  );
  assert.deepEqual(stored.filter((message) => message.author === "visitor").map((message) => message.text), visitorTexts);
  assert.deepEqual(stored.filter((message) => message.author === "operator").map((message) => message.text), operatorTexts);
  assert.deepEqual(shop.errors, []);
  assert.deepEqual(console.errors, []);
});
