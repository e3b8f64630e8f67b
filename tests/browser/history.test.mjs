// The console's History page in Chromium: a search with and without diacritics finds the
// conversation and marks the matched words (a visitor's markup stays text), a filter narrows
// the list, an internal note is added and never reaches the visitor's widget, an admin's review
// reaches the operator who had the conversation and is cleared again, and the CSV export and
// the transcript download hold what the list shows; an admin's sample of an operator's week
// lists conversations nobody has reviewed and marks the one reviewed. The main paths are walked
// by keyboard; in the dark colour scheme the page is dark and a match and a note stay readable.
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

/** A new visitor on the demo shop who has written `text`: their context, page, the frames
 * their socket received, and the conversation's id. */
async function write(text) {
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
}

/** Two visitors who wrote: one about a return (open), one about an order (resolved). */
async function setUp() {
  if (visitors) return visitors;
  addAdmin(shared.relay, EVA);
  admin = await operatorApi(shared.relay, EVA);
  const returned = await write(RETURN);
  const order = await write(ORDER);
  assert.equal((await shared.api.call("POST", `/api/conversations/${order.id}/resolve`)).status, 200);
  // The test operator (online) takes the return, so that the review is theirs to read.
  assert.equal((await shared.api.call("POST", `/api/conversations/${returned.id}/join`)).status, 200);
  visitors = { returned, order };
  return visitors;
}

/** The console in English, signed in as the admin, on the History page (reached by keyboard);
 * `options` are the browser context's. */
async function openHistory(options = {}) {
  const context = await shared.browser.newContext({ locale: "en-US", viewport: { width: 1366, height: 800 }, acceptDownloads: true, ...options });
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

/** The ISO week (`2026-W49`) of a moment, in UTC as the relay counts weeks. */
function isoWeek(moment) {
  const day = new Date(Date.UTC(moment.getUTCFullYear(), moment.getUTCMonth(), moment.getUTCDate()));
  const weekday = (day.getUTCDay() + 6) % 7; // Monday 0
  const thursday = new Date(day.getTime() + (3 - weekday) * 86_400_000);
  const firstOfYear = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  const week = Math.floor((thursday.getTime() - firstOfYear) / (7 * 86_400_000)) + 1;
  return `${thursday.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

test("by keyboard: a sample of an operator's week lists conversations nobody reviewed and marks the one reviewed", async () => {
  await setUp();
  const jana = shared.api.operator;
  // Four more conversations the test operator answered and resolved this week.
  const handled = [];
  for (let number = 1; number <= 4; number += 1) {
    const visitor = await write(`Dotaz na velikost číslo ${number}`);
    assert.equal((await shared.api.call("POST", `/api/conversations/${visitor.id}/join`)).status, 200);
    assert.equal((await shared.api.reply(visitor.id, `Odpověď ${number}`)).status, 201);
    assert.equal((await shared.api.call("POST", `/api/conversations/${visitor.id}/resolve`)).status, 200);
    await visitor.context.close();
    handled.push(visitor.id);
  }
  const week = isoWeek(new Date((await shared.api.conversation(handled[0])).createdAt));
  const expected = (await admin.call("GET", `/api/reviews/sample?operator=${jana.id}&week=${week}&n=3`)).body;
  assert.equal(expected.conversations.length, 3, "the relay's sample of three");

  const { context, page } = await openHistory();
  const form = page.getByRole("form", { name: "Sample for review" });
  // The operator, by typing the start of their name on the focused list box.
  const operator = form.getByLabel("Operator", { exact: true });
  await operator.focus();
  await page.keyboard.type("Jana");
  await eventually(async () => (await operator.inputValue()) === String(jana.id), "the operator chosen");
  // The week: this UTC week unless changed; typed as its number and year.
  await page.keyboard.press("Tab");
  const weekInput = form.getByLabel("Week", { exact: true });
  assert.ok(await weekInput.evaluate((element) => element === document.activeElement), "Tab reaches the week");
  assert.equal(await weekInput.inputValue(), isoWeek(new Date()), "this week by default");
  const [year, number] = week.split("-W");
  await page.keyboard.type(`${number}${year}`);
  assert.equal(await weekInput.inputValue(), week);
  // How many: three; Enter sends the form.
  await form.getByLabel("How many", { exact: true }).focus();
  await page.keyboard.press("Control+A");
  await page.keyboard.type("3");
  await page.keyboard.press("Enter");

  const list = page.getByRole("list", { name: "Sample for review" });
  await eventually(async () => (await list.getByRole("listitem").count()) === 3 && (await list.getAttribute("aria-busy")) === "false", "three conversations sampled");
  const shown = await list.getByRole("button").evaluateAll((buttons) => buttons.map((button) => Number(button.id.replace("history-sample-", ""))));
  assert.deepEqual(shown, expected.conversations.map((conversation) => conversation.id), "the relay's sample, in its order");
  for (const id of shown) {
    const conversation = await shared.api.conversation(id);
    assert.equal(conversation.assignedTo, jana.id, `conversation ${id} is the operator's`);
    assert.equal(conversation.review, undefined, `conversation ${id} was not reviewed`);
  }
  assert.equal(await list.getByText("Not reviewed yet").count(), 3);

  // The first one, opened and reviewed "Good" by keyboard.
  const first = shown[0];
  await list.getByRole("button", { name: `Visitor #${first}` }).focus();
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: `Conversation with Visitor #${first}` }).waitFor();
  assert.equal(await page.getByRole("radio", { name: "Good" }).isChecked(), true);
  await page.getByRole("button", { name: "Save review" }).focus();
  await page.keyboard.press("Enter");
  await page.getByRole("status").filter({ hasText: "Review saved." }).waitFor();
  assert.equal((await shared.api.conversation(first)).review?.verdict, "good");

  // Back: the focus on the sample's item, now marked reviewed; the others still not.
  await page.getByRole("button", { name: "Back to results" }).focus();
  await page.keyboard.press("Enter");
  const item = list.getByRole("button", { name: `Visitor #${first}` });
  await eventually(async () => item.evaluate((element) => element === document.activeElement), "the focus back on the sampled conversation");
  const reviewedItem = list.getByRole("listitem").filter({ has: page.getByRole("button", { name: `Visitor #${first}` }) });
  assert.equal(await reviewedItem.locator(".badge").innerText(), "Reviewed");
  assert.equal(await list.getByText("Not reviewed yet").count(), 2);
  // The relay leaves it out of the sample from now on.
  const again = (await admin.call("GET", `/api/reviews/sample?operator=${jana.id}&week=${week}&n=3`)).body;
  assert.ok(!again.conversations.some((conversation) => conversation.id === first));
  assert.deepEqual(page.errors, []);
  await context.close();
});

/** The contrast ratio (WCAG) of an element's text against the background it is drawn on: its
 * own, else the nearest ancestor's that is not transparent. Runs in the page. */
function contrastOf(element) {
  const channels = (color) => color.match(/[\d.]+/g).map(Number);
  const luminance = ([red, green, blue]) => {
    const linear = (value) => {
      const share = value / 255;
      return share <= 0.03928 ? share / 12.92 : ((share + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue);
  };
  let background = [255, 255, 255];
  for (let node = element; node; node = node.parentElement) {
    const color = channels(getComputedStyle(node).backgroundColor);
    if (color.length < 4 || color[3] > 0) {
      background = color;
      break;
    }
  }
  const [lighter, darker] = [luminance(channels(getComputedStyle(element).color)), luminance(background)].sort((a, b) => b - a);
  return { ratio: (lighter + 0.05) / (darker + 0.05), background: luminance(background) };
}

test("in the dark colour scheme the page is dark, and a match and a note keep 4.5:1", async () => {
  const { returned } = await setUp();
  const { context, page } = await openHistory({ colorScheme: "dark" });
  assert.equal(await page.evaluate(() => matchMedia("(prefers-color-scheme: dark)").matches), true);
  const main = page.locator("main.history-page");
  const pageColours = await main.evaluate(contrastOf);
  assert.ok(pageColours.background < 0.05, `the page follows the dark scheme: background luminance ${pageColours.background}`);
  assert.ok(pageColours.ratio >= 4.5, `the page's text: ${pageColours.ratio}`);

  await search(page, "vraceni", 1);
  const mark = results(page).locator("mark").first();
  const marked = await mark.evaluate(contrastOf);
  assert.ok(marked.ratio >= 4.5, `a match's text against its mark: ${marked.ratio.toFixed(2)}:1`);
  const snippet = await results(page).locator(".snippet").first().evaluate(contrastOf);
  assert.ok(snippet.ratio >= 4.5, `a snippet's text: ${snippet.ratio.toFixed(2)}:1`);

  await results(page).getByRole("button", { name: `Visitor #${returned.id}` }).click();
  const notes = page.getByRole("list", { name: "Internal notes" });
  if ((await notes.getByRole("listitem").count()) === 0) {
    await page.getByRole("textbox", { name: "Internal note" }).fill("Tmavý režim: poznámka");
    await page.getByRole("button", { name: "Add note" }).click();
  }
  const note = notes.getByRole("listitem").first();
  await note.waitFor();
  for (const [part, what] of [[note.locator(".text"), "a note's text"], [note.locator(".badge"), "the note's badge"], [note.locator(".who"), "the note's author"]]) {
    const { ratio } = await part.evaluate(contrastOf);
    assert.ok(ratio >= 4.5, `${what}: ${ratio.toFixed(2)}:1`);
  }
  const message = await page.getByRole("list", { name: "Messages" }).getByRole("listitem").first().locator(".text").evaluate(contrastOf);
  assert.ok(message.ratio >= 4.5, `a message's text: ${message.ratio.toFixed(2)}:1`);
  const hint = await page.locator(".review .hint").first().evaluate(contrastOf);
  assert.ok(hint.ratio >= 4.5, `a hint in the review: ${hint.ratio.toFixed(2)}:1`);
  assert.deepEqual(page.errors, []);
  await context.close();
});
