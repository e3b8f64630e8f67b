// The console's privacy tools, in Chromium against the real relay: an operator blocks a visitor
// from the conversation (a mark shows, the visitor's next message is refused) and an admin
// unblocks them from Settings → Privacy; an admin exports a conversation as a JSON file holding
// the visitor's words and erases it for good (it leaves the list and the screen); by the email a
// visitor gave, an admin exports and erases everything; a site's retention and the visitors'
// own erasing are saved; the audit log shows each act. Axe checks the section and the dialogs.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { expectNoViolations } from "./axe.mjs";
import { OPERATOR, addAdmin, eventually, launch, openShop, operatorApi, startRelay, widget } from "./support.mjs";

const EVA = { email: "eva@shop.example", password: "admin horse battery", name: "Eva" };

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser.close();
});

/** A relay with the admin Eva beside the operator Jana, and a visitor's browser profile. */
async function setUp(t) {
  const relay = await startRelay();
  addAdmin(relay, EVA);
  const jana = await operatorApi(relay);
  const eva = await operatorApi(relay, EVA);
  const visitor = await browser.newContext();
  t.after(async () => {
    await visitor.close();
    await relay.stop();
    relay.cleanup();
  });
  return { relay, jana, eva, visitor };
}

/** Opens the console as `who` in a browser profile of their own (the session's token is kept per
 * profile), available, on the conversations. */
async function signIn(t, relay, who, api) {
  const context = await browser.newContext({ locale: "en-US", viewport: { width: 1366, height: 900 }, acceptDownloads: true });
  t.after(() => context.close());
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (error) => page.errors.push(error.message));
  await page.goto(`${relay.url}/console/`);
  await page.getByLabel("Email", { exact: true }).fill(who.email);
  await page.getByLabel("Password", { exact: true }).fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("switch", { name: "Available" }).check();
  const online = async () => (await api.call("GET", "/api/operators")).body.some((operator) => operator.email === who.email && operator.online);
  await eventually(online, `${who.name} online`);
  return page;
}

/** A visitor on the demo shop who has written `text`: the shop's page and their token. */
async function visitorWrites(context, relay, text) {
  const shop = await openShop(context, `${relay.url}/demo/`);
  await widget(shop).getByRole("button", { name: "Otevřít chat" }).click();
  const box = widget(shop).getByRole("textbox", { name: "Zpráva" });
  await box.fill(text);
  await box.press("Enter");
  await widget(shop).getByText("Doručeno").waitFor();
  const token = await shop.evaluate(() => localStorage.getItem("beseda:demo:token"));
  assert.ok(token, "the widget keeps the visitor's token once they wrote");
  return { shop, token };
}

/**
 * Opens a socket of the visitor's own from the shop's page, says hello with their token and sends
 * `frames` after the welcome; resolves with every frame the relay sent until it answered the last
 * one (an `ack` or an `error` with its client id), or at once when the last has no client id, or
 * when the socket closed.
 */
function visitorSocket(shop, token, frames) {
  return shop.evaluate(
    ({ token, frames }) =>
      new Promise((resolve) => {
        const heard = [];
        const socket = new WebSocket(`${location.origin.replace(/^http/, "ws")}/ws/visitor`);
        const last = frames.at(-1)?.clientId;
        socket.onopen = () => socket.send(JSON.stringify({ type: "hello", version: 1, site: "demo", token }));
        socket.onmessage = (event) => {
          const frame = JSON.parse(event.data);
          heard.push(frame);
          if (frame.type === "welcome") {
            for (const sent of frames) socket.send(JSON.stringify(sent));
            // A frame without a client id gets no answer: it is sent, and the socket closed.
            if (last === undefined) socket.close();
          }
          if ((frame.type === "ack" || frame.type === "error") && (last === undefined || frame.clientId === last)) {
            socket.close();
            resolve(heard);
          }
        };
        socket.onclose = () => resolve(heard);
      }),
    { token, frames },
  );
}

/** Axe on the page as it is, in the light and the dark colour scheme. */
async function expectAccessible(page, context) {
  for (const colorScheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme });
    await expectNoViolations(page, { context: `${context} (${colorScheme})` });
  }
  await page.emulateMedia({ colorScheme: "light" });
}

const conversationRow = (page, text) => page.locator("ul.conversations").getByRole("listitem").filter({ hasText: text });

async function openConversation(page, text) {
  await conversationRow(page, text).getByRole("button").first().click();
  await page.locator(".composer textarea").waitFor();
}

async function privacySection(page) {
  await page.getByRole("button", { name: "Settings" }).click();
  const section = page.getByRole("region", { name: "Privacy" });
  await section.waitFor();
  return section;
}

/** Whether the audit log's "who" names this operator (by name or by email). */
const by = (operator) => (who) => who === operator.name || who === operator.email;
const byEva = by(EVA);
const byJana = by(OPERATOR);

/** The audit log's rows as [who, what, target] triples, newest first. */
async function auditRows(section) {
  const rows = section.getByRole("table", { name: "Audit log" }).locator("tbody tr");
  const cells = await rows.evaluateAll((rows) => rows.map((row) => [...row.cells].map((cell) => cell.textContent)));
  return cells.map(([, who, what, target]) => [who, what, target]);
}

test("an operator blocks a visitor from the conversation and an admin unblocks them in Settings → Privacy", async (t) => {
  const { relay, jana, eva, visitor } = await setUp(t);
  const page = await signIn(t, relay, OPERATOR, jana);
  const { shop, token } = await visitorWrites(visitor, relay, "Chci vrátit bundu.");
  await openConversation(page, "Chci vrátit bundu.");
  const header = page.locator(".conversation-header");

  // Export and erase are for admins only; every operator may block.
  assert.equal(await header.getByRole("button", { name: "Export data" }).count(), 0);
  assert.equal(await header.getByRole("button", { name: "Erase for good…" }).count(), 0);
  await header.getByRole("button", { name: "Block visitor…" }).click();
  const dialog = page.getByRole("dialog", { name: "Block this visitor?" });
  await dialog.waitFor();
  await expectAccessible(page, "the block dialog");

  // A wrong number of days is refused by the field itself, and blocks nobody.
  await dialog.getByLabel("Also block their address").check();
  const days = dialog.getByLabel("For how many days (1–365)");
  await days.fill("400");
  await dialog.getByRole("button", { name: "Block", exact: true }).click();
  assert.ok(await days.evaluate((input) => input.validity.rangeOverflow), "400 days are over the field's limit");
  assert.ok(await dialog.isVisible(), "the dialog stays open");
  assert.deepEqual((await eva.call("GET", "/api/blocks")).body, []);

  await dialog.getByLabel("For how many days (1–365)").fill("7");
  await dialog.getByRole("button", { name: "Block", exact: true }).click();
  await dialog.waitFor({ state: "hidden" });
  await header.getByText("Blocked", { exact: true }).waitFor();
  // Jana is no admin: she cannot unblock, and there is no one left to block.
  assert.equal(await header.getByRole("button", { name: "Unblock" }).count(), 0);
  assert.equal(await header.getByRole("button", { name: "Block visitor…" }).count(), 0);
  const [block] = (await eva.call("GET", "/api/blocks")).body;
  assert.ok(byJana(block.blockedBy), `blocked by ${block.blockedBy}`);
  assert.ok(block.addressUntil, "the address is blocked too");

  // The visitor's next message is refused, and nothing of it is stored.
  const heard = await visitorSocket(shop, token, [{ type: "send", clientId: "after-block-1", text: "Proč mi to nejde?" }]);
  assert.ok(!heard.some((frame) => frame.type === "ack"), `a blocked visitor's message was acknowledged: ${JSON.stringify(heard)}`);
  const refusal = heard.find((frame) => frame.type === "error" && frame.clientId === "after-block-1");
  assert.equal(refusal?.code, "blocked", JSON.stringify(heard));
  const [summary] = await jana.conversations();
  const stored = (await jana.conversation(summary.id)).messages.map((message) => message.text);
  assert.ok(!stored.includes("Proč mi to nejde?"), "the refused message is not stored");

  // Eva unblocks them from the list; Jana's mark goes with the relay's frame.
  const evaPage = await signIn(t, relay, EVA, eva);
  const section = await privacySection(evaPage);
  const blocks = section.getByRole("table", { name: "Blocked visitors" });
  const row = blocks.getByRole("row").filter({ hasText: "demo" });
  await row.waitFor();
  const cells = await row.locator("td").allTextContents();
  assert.ok(byJana(cells[2]), `blocked by ${cells[2]}`);
  assert.notEqual(cells[4], "Not blocked", "the address's block shows until when");
  await expectNoViolations(evaPage, { context: "Settings → Privacy with a blocked visitor", include: ["main.settings"] });
  await row.getByRole("button", { name: /^Unblock / }).click();
  await section.getByRole("status").getByText("Unblocked.").first().waitFor();
  await section.getByText("No one is blocked.").waitFor();
  await header.getByText("Blocked", { exact: true }).waitFor({ state: "hidden" });
  await header.getByRole("button", { name: "Block visitor…" }).waitFor();
  assert.deepEqual((await eva.call("GET", "/api/blocks")).body, []);

  // The audit log names both acts and who did them.
  await eventually(async () => {
    const rows = await auditRows(section);
    return rows.some(([who, what]) => byEva(who) && what === "Unblocked") && rows.some(([who, what]) => byJana(who) && what === "Blocked");
  }, "the block and the unblock in the audit log");
  assert.deepEqual(page.errors, []);
  assert.deepEqual(evaPage.errors, []);
});

test("an admin exports a conversation as JSON and erases it for good", async (t) => {
  const { relay, eva, visitor } = await setUp(t);
  const page = await signIn(t, relay, EVA, eva);
  await visitorWrites(visitor, relay, "Moje objednávka 1234 nedorazila.");
  await openConversation(page, "Moje objednávka 1234 nedorazila.");
  const [summary] = await eva.conversations();
  const header = page.locator(".conversation-header");

  const [download] = await Promise.all([page.waitForEvent("download"), header.getByRole("button", { name: "Export data" }).click()]);
  assert.equal(download.suggestedFilename(), `beseda-conversation-${summary.id}.json`);
  const exported = JSON.parse(readFileSync(await download.path(), "utf8"));
  assert.equal(exported.conversations.length, 1);
  assert.ok(
    exported.conversations[0].messages.some((message) => message.text === "Moje objednávka 1234 nedorazila."),
    "the export holds the visitor's message",
  );

  // The dialog says what goes and that it cannot be undone; Cancel erases nothing.
  await header.getByRole("button", { name: "Erase for good…" }).click();
  const dialog = page.getByRole("dialog", { name: "Erase this conversation for good?" });
  await dialog.getByText("This cannot be undone.", { exact: false }).waitFor();
  await expectAccessible(page, "the erase dialog");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await dialog.waitFor({ state: "hidden" });
  assert.equal((await eva.call("GET", `/api/conversations/${summary.id}`)).status, 200);

  await header.getByRole("button", { name: "Erase for good…" }).click();
  await dialog.getByRole("button", { name: "Erase for good", exact: true }).click();
  await page.getByText("Pick a conversation from the list.").waitFor();
  await conversationRow(page, "Moje objednávka 1234 nedorazila.").waitFor({ state: "detached" });
  // The focus, in the dialog that went, is on the list's tab, where the keyboard goes on.
  await eventually(async () => (await page.evaluate(() => document.activeElement?.id)) === "tab-open", "the focus on the Open tab");
  assert.equal((await eva.call("GET", `/api/conversations/${summary.id}`)).status, 404);

  const section = await privacySection(page);
  await eventually(async () => {
    const rows = await auditRows(section);
    return rows.some(([who, what]) => byEva(who) && what === "Exported") && rows.some(([who, what]) => byEva(who) && what === "Erased");
  }, "the export and the erase in the audit log");
  assert.deepEqual(page.errors, []);
});

test("an operator who is not an admin sees no Privacy section", async (t) => {
  const { relay, jana } = await setUp(t);
  const page = await signIn(t, relay, OPERATOR, jana);
  await page.getByRole("button", { name: "Settings" }).click();
  await page.getByRole("region", { name: "Prompts" }).waitFor();
  assert.equal(await page.getByRole("region", { name: "Privacy" }).count(), 0);
});

test("by the email a visitor gave, an admin exports and erases everything; retention is saved", async (t) => {
  const { relay, eva, visitor } = await setUp(t);
  // Someone is available, so that the visitor's message is delivered as chat.
  const page = await signIn(t, relay, EVA, eva);
  const { shop, token } = await visitorWrites(visitor, relay, "Pošlete mi prosím fakturu.");
  await visitorSocket(shop, token, [{ type: "profile", email: "petr@example.com" }]);
  const [summary] = await eva.conversations();
  await eventually(async () => (await eva.conversation(summary.id)).visitor.email === "petr@example.com", "the visitor's email stored");

  const section = await privacySection(page);
  const form = section.getByRole("form", { name: "A visitor's data, by email" });
  await form.getByLabel("Email the visitor gave").fill("petr@example.com");
  const [download] = await Promise.all([page.waitForEvent("download"), form.getByRole("button", { name: "Export data" }).click()]);
  const exported = JSON.parse(readFileSync(await download.path(), "utf8"));
  assert.equal(exported.email, "petr@example.com");
  assert.ok(exported.conversations.some((conversation) => conversation.messages.some((message) => message.text === "Pošlete mi prosím fakturu.")));

  await form.getByRole("button", { name: "Erase for good…" }).click();
  const dialog = page.getByRole("dialog", { name: "Erase this visitor's data for good?" });
  await dialog.getByText("petr@example.com", { exact: false }).waitFor();
  await expectAccessible(page, "the erase-by-email dialog");
  await dialog.getByRole("button", { name: "Erase for good", exact: true }).click();
  await form.getByRole("status").getByText("1 conversation erased.").waitFor();
  assert.deepEqual(await eva.conversations(), []);

  // Retention: a wrong number is refused by the field; a right one is kept with the checkbox.
  const site = page.getByRole("form", { name: "Site demo" });
  const retention = site.getByLabel("Erase resolved conversations after (days; empty: keep)");
  await retention.fill("0");
  await site.getByRole("button", { name: "Save site" }).click();
  assert.ok(await retention.evaluate((input) => input.validity.rangeUnderflow), "0 days are under the field's limit");
  assert.equal((await eva.call("GET", "/api/sites")).body.find((site) => site.name === "demo").retentionDays, undefined);
  await retention.fill("30");
  await site.getByLabel("Visitors may erase their conversation").check();
  await site.getByRole("button", { name: "Save site" }).click();
  await site.getByRole("status").getByText("Site saved.").waitFor();
  const saved = (await eva.call("GET", "/api/sites")).body.find((site) => site.name === "demo");
  assert.equal(saved.retentionDays, 30);
  assert.equal(saved.visitorErase, true);

  // Saved again with other settings changed, they stay; after a reload the form shows them.
  await page.reload();
  await page.getByRole("button", { name: "Settings" }).click();
  const again = page.getByRole("form", { name: "Site demo" });
  await again.getByLabel("Automatic message after (seconds, 0 = off)").waitFor();
  assert.equal(await again.getByLabel("Erase resolved conversations after (days; empty: keep)").inputValue(), "30");
  assert.ok(await again.getByLabel("Visitors may erase their conversation").isChecked());

  const privacy = page.getByRole("region", { name: "Privacy" });
  await eventually(async () => {
    const rows = await auditRows(privacy);
    return ["Exported", "Erased", "Retention changed"].every((act) => rows.some(([who, what]) => byEva(who) && what === act));
  }, "the export, the erase and the retention's change in the audit log");
  await expectNoViolations(page, { context: "Settings → Privacy with an audit log", include: ["main.settings"] });
  assert.deepEqual(page.errors, []);
});
