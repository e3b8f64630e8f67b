// The visitor's side of privacy in Chromium against the real relay: a blocked visitor's widget
// says only that the chat is not available and sends nothing, until an admin unblocks them; where
// the shop allows it, the visitor deletes their own conversation ("Smazat konverzaci", after the
// browser's confirmation), which the relay erases and the widget forgets.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { expectNoViolations } from "./axe.mjs";
import { addAdmin, eventually, launch, openShop, operatorApi, startRelay, widget } from "./support.mjs";

const ADMIN = { email: "eva@shop.example", password: "correct horse battery", name: "Eva" };
const TOKEN_KEY = "beseda:demo:token";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser.close();
});

async function setUp(t) {
  const relay = await startRelay();
  addAdmin(relay, ADMIN);
  const api = await operatorApi(relay);
  await api.setOnline(true);
  const admin = await operatorApi(relay, ADMIN);
  const context = await browser.newContext();
  t.after(async () => {
    await context.close();
    await relay.stop();
    relay.cleanup();
  });
  return { relay, api, admin, context };
}

const composer = (page) => widget(page).getByRole("textbox", { name: "Zpráva" });

async function say(page, text) {
  await composer(page).fill(text);
  await composer(page).press("Enter");
  await widget(page).getByText(text).waitFor();
}

/** Opens the demo shop's chat and writes `text`; answers the page and the conversation's id. */
async function writes(setup, text) {
  const page = await openShop(setup.context, `${setup.relay.url}/demo/`);
  await widget(page).getByRole("button", { name: "Otevřít chat" }).click();
  await say(page, text);
  await widget(page).getByText("Doručeno").waitFor();
  const conversations = await eventually(setup.api.conversations, "the conversation");
  const conversation = conversations.find((one) => one.lastMessage?.text === text);
  assert.ok(conversation, JSON.stringify(conversations));
  return { page, id: conversation.id };
}

test("a blocked visitor's widget says only that the chat is not available, and sends nothing until unblocked", async (t) => {
  const setup = await setUp(t);
  const { page, id } = await writes(setup, "Dobrý den, je tu někdo?");

  const blocked = await setup.api.call("POST", `/api/conversations/${id}/block`, {});
  assert.equal(blocked.status, 200, JSON.stringify(blocked.body));
  await widget(page).getByText("Chat tu není k dispozici.").waitFor();
  await composer(page).waitFor({ state: "hidden" });
  await expectNoViolations(page, { context: "the blocked widget" });

  // A new page view is still blocked, with nothing to write in.
  const again = await openShop(setup.context, `${setup.relay.url}/demo/`);
  await widget(again).getByRole("button", { name: "Otevřít chat" }).click();
  await widget(again).getByText("Chat tu není k dispozici.").waitFor();
  assert.equal(await composer(again).isVisible(), false);
  const detail = await setup.api.conversation(id);
  assert.deepEqual(detail.messages.map((message) => message.text), ["Dobrý den, je tu někdo?"]);
  assert.equal(detail.blocked, true);

  // An admin unblocks: the composer comes back at once, and the visitor writes again.
  const unblocked = await setup.admin.call("DELETE", `/api/conversations/${id}/block`);
  assert.equal(unblocked.status, 204);
  await composer(again).waitFor();
  await say(again, "Děkuji, už to jde.");
  await eventually(async () => (await setup.api.conversation(id)).messages.length === 2, "the message after the unblock");
  assert.deepEqual(again.errors, []);
});

test("the visitor deletes their own conversation where the shop allows it, and starts afresh", async (t) => {
  const setup = await setUp(t);
  const { page, id } = await writes(setup, "Moje adresa je Tajná 12, Brno");
  const erase = widget(page).getByRole("button", { name: "Smazat konverzaci" });
  assert.equal(await erase.isVisible(), false, "not offered before the shop allows it");

  const sites = await setup.admin.call("GET", "/api/sites");
  const demo = sites.body.find((site) => site.name === "demo");
  const saved = await setup.admin.call("PUT", "/api/sites/demo", { ...demo, visitorErase: true });
  assert.equal(saved.status, 200, JSON.stringify(saved.body));
  // The setting reaches a widget at its next welcome: a new page view.
  await page.reload();
  await page.evaluate(() => new Promise((resolve) => window.Beseda.on("ready", resolve)));
  await widget(page).getByRole("button", { name: "Otevřít chat" }).click();
  await widget(page).getByText("Moje adresa je Tajná 12, Brno").waitFor();
  await erase.waitFor();
  await expectNoViolations(page, { context: "the widget offering the erase" });

  // Cancelled in the browser's confirmation: nothing happens.
  page.once("dialog", (dialog) => {
    assert.equal(dialog.type(), "confirm");
    assert.equal(dialog.message(), "Smazat konverzaci");
    dialog.dismiss();
  });
  await erase.click();
  assert.equal((await setup.api.conversation(id)).id, id);
  await widget(page).getByText("Moje adresa je Tajná 12, Brno").waitFor();

  // Confirmed: the conversation is erased on the relay and gone from the window and the browser.
  page.once("dialog", (dialog) => dialog.accept());
  await erase.click();
  await widget(page).getByText("Moje adresa je Tajná 12, Brno").waitFor({ state: "hidden" });
  await eventually(async () => (await setup.api.call("GET", `/api/conversations/${id}`)).status === 404, "the erase");
  await erase.waitFor({ state: "hidden" });
  // The focus stays in the widget, on the log that the conversation left.
  assert.equal(await page.evaluate(() => document.activeElement?.tagName), "BESEDA-CHAT");
  assert.equal(await page.evaluate((key) => localStorage.getItem(key), TOKEN_KEY), null);

  // The widget goes on as a new visitor: a new conversation, without the erased one's messages.
  await composer(page).waitFor();
  await say(page, "Nová otázka");
  await widget(page).getByText("Doručeno").waitFor();
  const fresh = await eventually(async () => (await setup.api.conversations()).find((one) => one.lastMessage?.text === "Nová otázka"), "the new conversation");
  assert.deepEqual((await setup.api.conversation(fresh.id)).messages.map((message) => message.text), ["Nová otázka"]);
  assert.deepEqual(page.errors, []);
});
