// The operators' workflow as visitors see it, in Chromium against the real relay: two operators
// and three visitors (the per-operator maximum and the queue place), joining, resolve → rating →
// reopen, and the automatic message (firing, and not firing once an operator has answered).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { OPERATOR, RELAY_BINARY, eventually, launch, openShop, operatorApi, startRelay, widget } from "./support.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser.close();
});

const PETR = { email: "petr@shop.example", password: "another horse battery", name: "Petr" };
const EVA = { email: "eva@shop.example", password: "admin horse battery", name: "Eva" };

/** Adds an operator to the running relay's database with the command line. */
function addOperator(relay, operator, admin = false) {
  const args = ["operator", "add", "--email", operator.email, "--name", operator.name, "--db", join(relay.directory, "beseda.db")];
  if (admin) args.push("--admin");
  const result = spawnSync(RELAY_BINARY, args, { input: operator.password + "\n", encoding: "utf8" });
  if (result.status !== 0) throw new Error(`operator add: ${result.stderr}`);
}

/** A relay with Jana, Petr and the admin Eva; the test's browser contexts close with it. */
async function setUp(t) {
  const relay = await startRelay();
  addOperator(relay, PETR);
  addOperator(relay, EVA, true);
  const [jana, petr, eva] = await Promise.all([OPERATOR, PETR, EVA].map((operator) => operatorApi(relay, operator)));
  const contexts = [];
  t.after(async () => {
    await Promise.all(contexts.map((context) => context.close()));
    await relay.stop();
    relay.cleanup();
  });
  const visitor = async () => {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await openShop(context, `${relay.url}/demo/`);
    await widget(page).getByRole("button", { name: "Otevřít chat" }).click();
    return page;
  };
  return { relay, jana, petr, eva, visitor };
}

async function say(page, text) {
  const box = widget(page).getByRole("textbox", { name: "Zpráva" });
  await box.fill(text);
  await box.press("Enter");
  await widget(page).getByText(text).waitFor();
}

/** The conversation whose last visitor message is `text`. */
async function conversationOf(api, text) {
  return eventually(async () => (await api.conversations()).find((conversation) => conversation.lastMessage?.text === text), `the conversation of "${text}"`);
}

test("two operators with one chat each: the third visitor waits first in line, and is served when a chat is resolved", async (t) => {
  const { jana, petr, eva, visitor } = await setUp(t);
  assert.equal((await eva.call("PUT", "/api/settings", { maxChatsPerOperator: 1 })).status, 200);
  await jana.setOnline(true);
  await petr.setOnline(true);

  const first = await visitor();
  await widget(first).getByText("Jsme tu pro vás").waitFor();
  await say(first, "Kdy dorazí moje objednávka?");
  const firstConversation = await conversationOf(jana, "Kdy dorazí moje objednávka?");
  const second = await visitor();
  await say(second, "Máte bundu v L?");
  const secondConversation = await conversationOf(jana, "Máte bundu v L?");
  // One each, to the operator with fewer chats.
  const owners = [firstConversation.assignedTo, secondConversation.assignedTo].sort();
  assert.deepEqual(owners, [jana.operator.id, petr.operator.id].sort());
  await widget(first).getByText("v pořadí").waitFor({ state: "hidden" });

  const third = await visitor();
  await say(third, "Dobrý den, mám dotaz k reklamaci");
  await widget(third).getByText("Jste 1. v pořadí").waitFor();
  const thirdConversation = await conversationOf(jana, "Dobrý den, mám dotaz k reklamaci");
  assert.equal(thirdConversation.assignedTo, undefined, "nobody has room for the third chat");

  // The first chat's operator joins (the visitor sees who is there) and resolves it: the
  // waiting visitor is theirs now.
  const firstOwner = firstConversation.assignedTo === jana.operator.id ? jana : petr;
  assert.equal((await firstOwner.call("POST", `/api/conversations/${firstConversation.id}/join`)).status, 200);
  await widget(first).getByText(`${firstOwner.operator.name} je tu pro vás.`).waitFor();
  await widget(first).locator(".status", { hasText: firstOwner.operator.name }).waitFor();
  assert.equal((await firstOwner.call("POST", `/api/conversations/${firstConversation.id}/resolve`)).status, 200);
  await widget(third).getByText("Jste 1. v pořadí").waitFor({ state: "hidden" });
  const served = await firstOwner.conversation(thirdConversation.id);
  assert.equal(served.assignedTo, firstOwner.operator.id);
});

test("resolve, then the visitor rates it, then a new message reopens it", async (t) => {
  const { jana, visitor } = await setUp(t);
  await jana.setOnline(true);
  const page = await visitor();
  await say(page, "Děkuji, to je vše.");
  const conversation = await conversationOf(jana, "Děkuji, to je vše.");
  assert.equal((await jana.call("POST", `/api/conversations/${conversation.id}/resolve`)).status, 200);

  const form = widget(page).getByRole("group", { name: "Jak jsme vám pomohli?" });
  await form.waitFor();
  await widget(page).getByRole("radio", { name: "Spokojen(a)", exact: true }).check();
  await widget(page).getByRole("textbox", { name: "Komentář (nepovinný)" }).fill("Rychlá a milá odpověď");
  await widget(page).getByRole("button", { name: "Odeslat hodnocení" }).click();
  await widget(page).getByText("Děkujeme za hodnocení!").waitFor();
  await form.waitFor({ state: "hidden" });
  const rated = await jana.conversation(conversation.id);
  assert.equal(rated.rating, "satisfied");
  assert.equal(rated.ratingComment, "Rychlá a milá odpověď");
  assert.equal(rated.status, "resolved");

  await say(page, "Ještě jedna otázka");
  await eventually(async () => (await jana.conversation(conversation.id)).status === "open", "the conversation reopened");
});

test("the automatic message asks a waiting visitor to hold on, once, and never after an operator has answered", async (t) => {
  const { jana, eva, visitor } = await setUp(t);
  const site = (await eva.call("GET", "/api/sites")).body.find((candidate) => candidate.name === "demo");
  const saved = await eva.call("PUT", "/api/sites/demo", { ...site, autoMessageDelaySecs: 2 });
  assert.equal(saved.status, 200);
  await jana.setOnline(true);

  // Answered at once: its wait ends before the delay.
  const answered = await visitor();
  await say(answered, "Máte otevřeno i v sobotu?");
  const answeredConversation = await conversationOf(jana, "Máte otevřeno i v sobotu?");
  assert.equal((await jana.reply(answeredConversation.id, "Ano, do poledne.")).status, 201);

  // Not answered, and started later: its automatic message is due after the other's would have been.
  const waiting = await visitor();
  await say(waiting, "Haló, je tu někdo?");
  const waitingConversation = await eventually(
    async () => (await jana.conversations()).find((conversation) => conversation.id !== answeredConversation.id),
    "the second conversation",
  );
  await widget(waiting).getByText("Omlouváme se, že to trvá.", { exact: false }).waitFor({ timeout: 15_000 });
  const systemMessages = (await jana.conversation(waitingConversation.id)).messages.filter((message) => message.author === "system");
  assert.equal(systemMessages.length, 1);

  const answeredMessages = (await jana.conversation(answeredConversation.id)).messages;
  assert.deepEqual(answeredMessages.map((message) => message.author), ["visitor", "operator"], "no automatic message after an answer");
  await widget(answered).getByText("Ano, do poledne.").waitFor();
  assert.equal(await widget(answered).getByText("Omlouváme se", { exact: false }).count(), 0);
});
