// The console's History page in Chromium: a search with and without diacritics finds the
// conversation and marks the matched words (a visitor's markup stays text), a filter narrows
// the list, an internal note is added and never reaches the visitor's widget, an admin's review
// reaches the operator who had the conversation and is cleared again, and the CSV export and
// the transcript download hold what the list shows. The main path is walked by keyboard.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { addAdmin, eventually, openShop, operatorApi, sharedRelay, widget } from "./support.mjs";

const EVA = { email: "eva@shop.example", password: "admin horse battery", name: "Eva" };
const RETURN = "Chci vrácení zboží, <b>kabát</b> je malý";
const ORDER = "Kde je moje objednávka 4411?";

const shared = sharedRelay();
let admin;
let visitors;

/** Two visitors who wrote: one about a return (open), one about an order (resolved). */
async function setUp() {
  if (visitors) return visitors;
  addAdmin(shared.relay, EVA);
  admin = await operatorApi(shared.relay, EVA);
  const write = async (text) => {
    const context = await shared.browser.newContext();
    const frames = [];
    const shop = await openShop(context, `${shared.relay.url}/demo/`);
    shop.on("websocket", (socket) => socket.on("framereceived", ({ payload }) => frames.push(String(payload))));
    await widget(shop).getByRole("button", { name: "Otevřít chat" }).click();
    const box = widget(shop).getByRole("textbox", { name: "Zpráva" });
    await box.fill(text);
    await box.press("Enter");
    await widget(shop).getByText("Doručeno").waitFor();
    const listed = await eventually(
      async () => (await shared.api.conversations()).find((row) => row.lastMessage?.text === text),
      `the conversation "${text}"`,
    );
    return { context, shop, frames, id: listed.id };
  };
  const returned = await write(RETURN);
  const order = await write(ORDER);
  assert.equal((await shared.api.call("POST", `/api/conversations/${order.id}/resolve`)).status, 200);
  // The test operator (online) takes the return, so that the review is theirs to read.
  assert.equal((await shared.api.call("POST", `/api/conversations/${returned.id}/join`)).status, 200);
  visitors = { returned, order };
  return visitors;
}

/** The console in English, signed in as the admin, on the History page (reached by keyboard). */
async function openHistory() {
  const context = await shared.browser.newContext({ locale: "en-US", viewport: { width: 1366, height: 800 }, acceptDownloads: true });
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (error) => page.errors.push(error.message));
  await page.goto(`${shared.relay.url}/console/`);
  await page.getByLabel("Email", { exact: true }).fill(EVA.email);
  await page.getByLabel("Password", { exact: true }).fill(EVA.password);
  await page.getByLabel("Password", { exact: true }).press("Enter");
  const history = page.getByRole("navigation", { name: "Console" }).getByRole("button", { name: "History" });
  await history.focus();
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "History", level: 1 }).waitFor();
  return { context, page };
}

const results = (page) => page.getByRole("list", { name: "Results" });

/** Types a search into the box and submits it with Enter; waits until the list has `count` items. */
async function search(page, text, count) {
  const box = page.getByRole("searchbox", { name: "Search the history" });
  await box.fill(text);
  await box.press("Enter");
  await eventually(async () => (await results(page).getByRole("listitem").count()) === count && (await results(page).getAttribute("aria-busy")) === "false", `${count} results for "${text}"`);
}

test("a search finds the conversation with and without diacritics, marks the words, and a filter narrows", async () => {
  const { returned, order } = await setUp();
  const { context, page } = await openHistory();
  // Unfiltered, both conversations are there.
  await eventually(async () => (await results(page).getByRole("listitem").count()) === 2, "both conversations listed");

  for (const query of ["vraceni", "vrác", "VRÁCENÍ zbozi"]) {
    await search(page, query, 1);
    const item = results(page).getByRole("listitem");
    await item.getByRole("button", { name: `Visitor #${returned.id}` }).waitFor();
    assert.equal(await item.locator("mark").first().innerText(), "vrácení", query);
  }
  // The visitor's markup is text in the snippet, never an element.
  await search(page, "kabat", 1);
  const snippet = results(page).locator(".snippet");
  assert.match(await snippet.innerText(), /<b>kabát<\/b>/);
  assert.equal(await snippet.locator("b").count(), 0);
  assert.equal(await snippet.locator("mark").innerText(), "kabát");

  await search(page, "objednavka", 1);
  await results(page).getByRole("button", { name: `Visitor #${order.id}` }).waitFor();
  await search(page, "reklamace", 0);
  await page.getByText("Nothing found.").waitFor();

  // No words, status "Resolved": only the resolved conversation.
  await page.getByRole("searchbox", { name: "Search the history" }).fill("");
  await page.getByLabel("Conversation status").selectOption({ label: "Resolved" });
  await page.getByRole("button", { name: "Apply filters" }).click();
  await eventually(async () => (await results(page).getByRole("listitem").count()) === 1, "the status filter applied");
  await results(page).getByRole("button", { name: `Visitor #${order.id}` }).waitFor();
  // And the words with a filter that excludes their conversation: nothing.
  await search(page, "vraceni", 0);
  await page.getByRole("button", { name: "Clear filters" }).click();
  await eventually(async () => (await results(page).getByRole("listitem").count()) === 2, "the filters cleared");

  // The CSV of the filtered list: UTF-8 with a BOM, the found conversation and nothing else.
  await search(page, "vraceni", 1);
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download CSV" }).click()]);
  const bytes = readFileSync(await download.path());
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], "a byte order mark first");
  const lines = bytes.toString("utf8").slice(1).trim().split("\r\n");
  assert.equal(lines.length, 2, lines.join("\n"));
  assert.match(lines[0], /^id,site,status,/);
  assert.ok(lines[1].startsWith(`"${returned.id}","demo","open",`), lines[1]);
  assert.ok(lines[1].includes("vrácení"), lines[1]);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test("by keyboard: a note the visitor never sees, a review the operator reads, and the transcript", async () => {
  const { returned } = await setUp();
  const { context, page } = await openHistory();
  await search(page, "vraceni", 1);
  await results(page).getByRole("button", { name: `Visitor #${returned.id}` }).focus();
  await page.keyboard.press("Enter");
  const heading = page.getByRole("heading", { name: `Conversation with Visitor #${returned.id}` });
  await heading.waitFor();
  await eventually(async () => heading.evaluate((element) => element === document.activeElement), "the focus on the conversation's heading");
  await page.getByRole("list", { name: "Messages" }).getByText(RETURN).waitFor();

  // A note: listed as internal in the console, never on the visitor's socket or screen.
  const NOTE = "Interní: zákazník chce vrátit kabát, ověřit velikost";
  const noteBox = page.getByRole("textbox", { name: "Internal note" });
  await noteBox.focus();
  await page.keyboard.type(NOTE);
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  const note = page.getByRole("list", { name: "Internal notes" }).getByRole("listitem").filter({ hasText: NOTE });
  await note.waitFor();
  assert.equal(await note.locator(".badge").innerText(), "Internal note");
  assert.equal((await shared.api.conversation(returned.id)).notes.map((note) => note.text).join("|"), NOTE);
  // A reply after the note: once the visitor has it, the note would have arrived before it.
  const REPLY = "Dobrý den, vrácení vyřídíme.";
  assert.equal((await shared.api.reply(returned.id, REPLY)).status, 201);
  await widget(returned.shop).getByText(REPLY).waitFor();
  assert.ok(returned.frames.some((frame) => frame.includes(REPLY)), "the visitor's socket carried the reply");
  assert.ok(!returned.frames.some((frame) => frame.includes("ověřit velikost")), "no frame carried the note");
  assert.equal(await widget(returned.shop).getByText("ověřit velikost").count(), 0);

  // The review, by keyboard: "Needs coaching" with a comment; the operator who had it reads it.
  const COMMENT = "Příště nabídněte štítek na vrácení.";
  await page.getByRole("radio", { name: "Needs coaching" }).focus();
  await page.keyboard.press("Space");
  await page.getByRole("textbox", { name: "Comment for the operator" }).focus();
  await page.keyboard.type(COMMENT);
  await page.getByRole("button", { name: "Save review" }).focus();
  await page.keyboard.press("Enter");
  await page.getByRole("status").filter({ hasText: "Review saved." }).waitFor();
  await page.getByText("Reviewed by Eva", { exact: false }).waitFor();
  const seen = await shared.api.conversation(returned.id);
  assert.equal(seen.review?.verdict, "coaching");
  assert.equal(seen.review?.comment, COMMENT);
  // The "not reviewed yet" filter leaves it out now.
  assert.ok(!(await admin.call("GET", "/api/conversations?reviewed=false")).body.some((item) => item.id === returned.id));

  // The transcript as text: the messages, not the note.
  const [transcript] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Transcript (text)" }).click()]);
  assert.equal(transcript.suggestedFilename(), `beseda-conversation-${returned.id}.txt`);
  const text = readFileSync(await transcript.path(), "utf8");
  assert.ok(text.includes(RETURN) && text.includes(REPLY), text);
  assert.ok(!text.includes("ověřit velikost"), text);

  // Cleared again; the operator no longer has a review to read.
  await page.getByRole("button", { name: "Clear review" }).click();
  await page.getByRole("status").filter({ hasText: "Review cleared." }).waitFor();
  assert.equal((await shared.api.conversation(returned.id)).review, undefined);

  // Back to the results, where the focus returns to the conversation opened.
  await page.getByRole("button", { name: "Back to results" }).press("Enter");
  const opened = results(page).getByRole("button", { name: `Visitor #${returned.id}` });
  await eventually(async () => opened.evaluate((element) => element === document.activeElement), "the focus back on the result");
  assert.deepEqual(page.errors, []);
  await context.close();
});
