// Self-service answers in Chromium: the demo shop's answers imported as `make run` does, a
// visitor typing in the widget sees matching answers, opens one (and goes back) by mouse and
// keyboard, and the console's Answers page shows the openings and the searches that found
// nothing; an admin edits an answer there and visitors see the change.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { RELAY_BINARY, addAdmin, eventually, openShop, operatorApi, sharedRelay, widget } from "./support.mjs";

const EVA = { email: "eva@shop.example", password: "admin horse battery", name: "Eva" };
const DEMO_ANSWERS = resolve("../../www/answers/demo.json");
const DELIVERY = "Kdy mi objednávka dorazí?";

const shared = sharedRelay();
let admin;

/** The demo answers imported with the command line (into the running relay's database). */
async function importDemoAnswers() {
  if (admin) return;
  const db = join(shared.relay.directory, "beseda.db");
  const result = spawnSync(RELAY_BINARY, ["answers", "import", "--site", "demo", DEMO_ANSWERS, "--db", db], { encoding: "utf8" });
  assert.equal(result.status, 0, result.stderr);
  addAdmin(shared.relay, EVA);
  admin = await operatorApi(shared.relay, EVA);
}

/** The demo shop with the chat open; `frames` collects what the relay sends the widget. */
async function openChat() {
  await importDemoAnswers();
  const context = await shared.browser.newContext();
  const frames = [];
  const shop = await openShop(context, `${shared.relay.url}/demo/`);
  // A new visitor's widget connects when the chat is opened, after this.
  shop.on("websocket", (socket) => socket.on("framereceived", ({ payload }) => frames.push(JSON.parse(payload))));
  await widget(shop).getByRole("button", { name: "Otevřít chat" }).click();
  const composer = widget(shop).getByRole("textbox", { name: "Zpráva" });
  await composer.waitFor();
  return { context, shop, frames, composer };
}

async function stats() {
  return (await admin.call("GET", "/api/answers/stats?site=demo")).body;
}

test("typing offers answers; one opens in the window, is counted, and leads back to the chat", async () => {
  const { context, shop, composer } = await openChat();
  const offered = widget(shop).getByRole("group", { name: "Odpovědi, které mohou pomoci" });
  await composer.fill("do");
  await composer.fill("doprava");
  const delivery = offered.getByRole("button", { name: DELIVERY });
  await delivery.waitFor();
  assert.ok((await offered.getByRole("button").count()) <= 3);

  await delivery.click();
  const answer = widget(shop).getByRole("region", { name: DELIVERY });
  await answer.getByText("odesíláme v pracovní dny do 14:00").waitFor();
  assert.equal(await widget(shop).getByRole("log").isHidden(), true, "the answer stands in for the conversation");
  await eventually(async () => (await stats()).answers.find((row) => row.question === DELIVERY)?.opened === 1, "the opening counted");

  // The way back, by keyboard: Escape leaves the answer, not the chat.
  await shop.keyboard.press("Escape");
  await answer.waitFor({ state: "hidden" });
  await widget(shop).getByRole("log").waitFor();
  assert.equal(await widget(shop).getByRole("dialog").isVisible(), true, "the window stays open");
  const focused = await shop.evaluate(() => document.querySelector("beseda-chat").shadowRoot.activeElement?.textContent);
  assert.equal(focused, DELIVERY, "the focus is back on the answer's button");
  // Enter on the focused button opens it again; the button "← Zpět do chatu" leads back.
  await shop.keyboard.press("Enter");
  await answer.waitFor();
  await widget(shop).getByRole("button", { name: "← Zpět do chatu" }).click();
  await answer.waitFor({ state: "hidden" });

  // Sending works as before, and the offered answers go.
  await composer.press("Enter");
  await widget(shop).getByText("Doručeno").waitFor();
  await offered.waitFor({ state: "hidden" });
  assert.deepEqual(shop.errors, []);
  await context.close();
});

test("a search that found nothing shows in the console's Answers page, with the openings", async () => {
  const { context, shop, frames, composer } = await openChat();
  await composer.fill("zelená   čepice");
  const answered = await eventually(() => frames.find((frame) => frame.type === "answers" && frame.query === "zelená čepice"), "the search's answer");
  assert.deepEqual(answered.answers, []);
  await composer.press("Enter");
  await widget(shop).getByText("Doručeno").waitFor();
  await context.close();

  const console = await shared.browser.newContext({ viewport: { width: 1366, height: 800 } });
  const page = await console.newPage();
  await page.goto(`${shared.relay.url}/console/`);
  await page.getByLabel("Email").fill(EVA.email);
  await page.getByLabel("Password").fill(EVA.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Console" }).getByRole("button", { name: "Answers" }).click();
  const misses = page.getByRole("table", { name: "Searches that found nothing" });
  const row = misses.getByRole("row").filter({ hasText: "zelená čepice" });
  await row.waitFor();
  const cells = async (row) => (await row.getByRole("cell").allInnerTexts()).slice(0, 3);
  assert.deepEqual(await cells(row), ["zelená čepice", "cs", "1"]);
  const opened = page.getByRole("table", { name: "Opened answers" }).getByRole("row").filter({ hasText: DELIVERY });
  assert.deepEqual(await cells(opened), [DELIVERY, "cs", "1"]);
  await console.close();
});

test("an admin edits an answer in the console and visitors see the new text", async () => {
  await importDemoAnswers();
  const console = await shared.browser.newContext({ viewport: { width: 1366, height: 800 } });
  const page = await console.newPage();
  await page.goto(`${shared.relay.url}/console/`);
  await page.getByLabel("Email").fill(EVA.email);
  await page.getByLabel("Password").fill(EVA.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Answers" }).click();
  await page.getByRole("button", { name: `Edit answer ${DELIVERY}` }).click();
  await page.getByLabel("Answer text").fill("Zboží skladem vám doručíme zítra.");
  await page.getByLabel("Keywords (comma-separated, optional)").fill("doprava, doručení, zítra");
  await page.getByRole("button", { name: "Save answer" }).click();
  await page.getByRole("status").filter({ hasText: "Answer saved." }).waitFor();
  await page.getByRole("table", { name: "Answers" }).getByText("Zboží skladem vám doručíme zítra.").waitFor();
  // A refusal is shown as the relay gives it, and changes nothing.
  await page.getByLabel("Question").fill("Jak mohu objednávku zaplatit?");
  await page.getByLabel("Answer text").fill("Jinak.");
  await page.getByRole("button", { name: "Add answer" }).click();
  await page.getByRole("alert").filter({ hasText: "already" }).waitFor();
  await console.close();

  const { context, shop, composer } = await openChat();
  await composer.fill("zítra");
  await widget(shop).getByRole("button", { name: DELIVERY }).click();
  await widget(shop).getByRole("region", { name: DELIVERY }).getByText("Zboží skladem vám doručíme zítra.").waitFor();
  await context.close();
});
