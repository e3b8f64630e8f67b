// Files in the operator console, in Chromium against the real relay: a visitor's photo shows as a
// thumbnail and opens larger (Escape closes it, the focus returns); the operator attaches files by
// the button, by dropping them onto the conversation and by pasting an image, sees them before
// sending and the upload's progress, and may cancel it (nothing is stored); a PDF sent shows as a
// link with its name and size, also after a reload, and the visitor can fetch it; a file the
// relay refuses (an HTML page named .jpg, a file over the relay's limit) is named with its reason
// and nothing is sent; the History page finds a conversation by a file's name and shows its files,
// and its CSV and transcript name them. The attach button is named in all six languages.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { METRICS_TOKEN, OPERATOR, eventually, launch, openShop, operatorApi, startRelay, widget } from "./support.mjs";

/** A small PDF: the relay judges the kind by its first bytes. */
const PDF = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
/** A PDF of `size` bytes: the small one with a long comment after its header (its end marker
 * stays at its end, where the relay looks for it). */
const pdfOf = (size) => Buffer.concat([PDF.subarray(0, 9), Buffer.from(`%${"x".repeat(size - PDF.length - 2)}\n`), PDF.subarray(9)]);
/** A web page, whatever its name says. */
const PAGE = Buffer.from("<!doctype html>\n<html><head><title>Sleva</title></head><body><script>alert(1)</script></body></html>\n");
/** The attach button's name in each of the console's languages. */
const ATTACH = { cs: "Přiložit soubor", sk: "Priložiť súbor", pl: "Załącz plik", ru: "Прикрепить файл", de: "Datei anhängen", en: "Attach file" };

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser.close();
});

/** A relay (with more `serve` flags `args`), an operator's browser profile and a visitor's; all
 * go when the test ends. */
async function setUp(t, args = []) {
  const relay = await startRelay({ args });
  const api = await operatorApi(relay);
  const operator = await browser.newContext({ locale: "en-US", viewport: { width: 1366, height: 800 }, acceptDownloads: true });
  const visitor = await browser.newContext();
  t.after(async () => {
    await operator.close();
    await visitor.close();
    await relay.stop();
    relay.cleanup();
  });
  return { relay, api, operator, visitor };
}

/** Opens the console, signs the test operator in and makes them available. */
async function signIn(context, relay, api) {
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (error) => page.errors.push(error.message));
  await page.goto(`${relay.url}/console/`);
  await page.getByLabel("Email").fill(OPERATOR.email);
  await page.getByLabel("Password").fill(OPERATOR.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("switch", { name: "Available" }).check();
  const online = async () => (await api.call("GET", "/api/operators")).body.some((operator) => operator.email === OPERATOR.email && operator.online);
  await eventually(online, "the operator online");
  return page;
}

/** A visitor on the demo shop who has written `text`; the page and their visitor token. */
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

/** Opens the conversation whose row shows `text` and waits for its composer. The row is found
 * whatever the console's language. */
async function openConversation(console, text) {
  await console.locator("ul.conversations").getByRole("listitem").filter({ hasText: text }).getByRole("button").first().click();
  await console.locator(".composer textarea").waitFor();
}

/** The conversation's messages as the relay holds them. */
async function messages(api) {
  const [summary] = await api.conversations();
  return (await api.conversation(summary.id)).messages;
}

const fromOperator = async (api) => (await messages(api)).filter((message) => message.author === "operator");
const log = (console) => console.getByRole("log", { name: "Messages" });
const fileInput = (console) => console.locator(".composer input[type=file]");
const tray = (console) => console.getByRole("list", { name: "Files to send" });
/** How many files the relay has stored, by its metrics. */
async function filesStored(relay) {
  const metrics = await (await fetch(`${relay.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  return Number(/^beseda_files_stored_total (\d+)$/m.exec(metrics)?.[1]);
}

test("a visitor's photo shows as a thumbnail that opens larger; Escape closes it and the focus returns", async (t) => {
  const { relay, api, operator, visitor } = await setUp(t);
  const console = await signIn(operator, relay, api);
  const { shop, token } = await visitorWrites(visitor, relay, "Balík přišel rozbitý.");
  // The widget's own upload is another part's: the photo goes the way it does, over REST.
  const status = await shop.evaluate(async (token) => {
    const canvas = document.createElement("canvas");
    canvas.width = 640;
    canvas.height = 480;
    const context = canvas.getContext("2d");
    context.fillStyle = "#c0392b";
    context.fillRect(0, 0, 640, 480);
    context.fillStyle = "#2c3e50";
    context.fillRect(100, 100, 200, 150);
    const photo = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
    const form = new FormData();
    form.append("clientId", "photo-1");
    form.append("site", "demo");
    form.append("file", photo, "balik.png");
    const response = await fetch("/visitor/files", { method: "POST", headers: { authorization: `Bearer ${token}` }, body: form });
    return response.status;
  }, token);
  assert.equal(status, 201);
  // The photo is the conversation's last message, its row names it.
  await openConversation(console, "balik.png");

  const thumbnail = log(console).getByRole("button", { name: "Open balik.png" });
  await thumbnail.waitFor();
  const width = (image) => image.evaluate((image) => (image.complete ? image.naturalWidth : 0));
  const thumbnailWidth = await eventually(() => width(thumbnail.getByRole("img", { name: "balik.png" })), "the thumbnail loaded");
  assert.ok(thumbnailWidth < 640, `a thumbnail, not the photo: ${thumbnailWidth} px`);

  await thumbnail.click();
  const viewer = console.getByRole("dialog", { name: "balik.png" });
  await viewer.waitFor();
  assert.equal(await eventually(() => width(viewer.getByRole("img", { name: "balik.png" })), "the photo loaded"), 640);
  await console.keyboard.press("Escape");
  await viewer.waitFor({ state: "hidden" });
  await eventually(() => thumbnail.evaluate((button) => document.activeElement === button), "the focus back on the thumbnail");

  // By keyboard, and the close button does the same.
  await console.keyboard.press("Enter");
  await viewer.waitFor();
  await viewer.getByRole("button", { name: "Close" }).click();
  await viewer.waitFor({ state: "hidden" });
  await eventually(() => thumbnail.evaluate((button) => document.activeElement === button), "the focus back after Close");
  assert.deepEqual(console.errors, []);
});

test("the operator attaches a PDF by the button: a preview to remove from, the upload's progress, a link with its name and size, also after a reload", async (t) => {
  const { relay, api, operator, visitor } = await setUp(t);
  const console = await signIn(operator, relay, api);
  const { token } = await visitorWrites(visitor, relay, "Pošlete mi prosím fakturu.");
  await openConversation(console, "Pošlete mi prosím fakturu.");

  await console.getByRole("button", { name: "Attach file" }).waitFor();
  await fileInput(console).setInputFiles([
    { name: "faktura.pdf", mimeType: "application/pdf", buffer: PDF },
    { name: "poznamka.txt", mimeType: "text/plain", buffer: Buffer.from("Jen poznámka.\n") },
  ]);
  await tray(console).getByText("faktura.pdf").waitFor();
  await tray(console).getByText("poznamka.txt").waitFor();
  await tray(console).getByRole("button", { name: "Remove poznamka.txt" }).click();
  await tray(console).getByText("poznamka.txt").waitFor({ state: "detached" });
  assert.equal(await tray(console).getByRole("listitem").count(), 1);

  // The upload is held on its way until the progress has been seen.
  let release;
  const held = new Promise((resolve) => (release = resolve));
  await console.route("**/api/conversations/*/files", async (route) => {
    await held;
    await route.continue();
  });
  await console.getByRole("textbox", { name: "Message" }).fill("Posílám fakturu.");
  await console.getByRole("button", { name: "Send" }).click();
  const progress = console.getByRole("progressbar", { name: "Uploading…" });
  await progress.waitFor();
  await console.getByRole("button", { name: "Cancel upload" }).waitFor();
  assert.equal((await fromOperator(api)).length, 0, "nothing stored before the upload ends");
  release();

  const link = log(console).getByRole("link", { name: `Download faktura.pdf (${PDF.length} bytes)` });
  await link.waitFor();
  await log(console).getByText("Posílám fakturu.").waitFor();
  await progress.waitFor({ state: "detached" });
  await tray(console).waitFor({ state: "detached" });
  assert.equal(await console.getByRole("textbox", { name: "Message" }).inputValue(), "");
  await console.unroute("**/api/conversations/*/files");

  const sent = await fromOperator(api);
  assert.equal(sent.length, 1);
  assert.equal(sent[0].text, "Posílám fakturu.");
  assert.deepEqual(sent[0].files.map((file) => [file.name, file.contentType, file.size]), [["faktura.pdf", "application/pdf", PDF.length]]);
  // The link's own address, copied, gives nobody the file; the visitor's token does.
  assert.equal(await link.getAttribute("href"), sent[0].files[0].url);
  assert.equal((await fetch(`${relay.url}${sent[0].files[0].url}`)).status, 404);
  const fetched = await fetch(`${relay.url}${sent[0].files[0].url}`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(fetched.status, 200);
  assert.deepEqual(Buffer.from(await fetched.arrayBuffer()), PDF);

  // The operator downloads it, byte for byte.
  const [saved] = await Promise.all([console.waitForEvent("download"), link.click()]);
  assert.equal(saved.suggestedFilename(), "faktura.pdf");
  assert.deepEqual(readFileSync(await saved.path()), PDF);

  // After a reload the conversation, read from the relay, shows the file the same way.
  await console.reload();
  await openConversation(console, "faktura.pdf");
  await log(console).getByRole("link", { name: `Download faktura.pdf (${PDF.length} bytes)` }).waitFor();
  await log(console).getByText("Posílám fakturu.").waitFor();

  // The attach button is named in every language of the console.
  for (const [language, name] of Object.entries(ATTACH)) {
    assert.equal((await api.call("PUT", "/api/me", { language })).status, 200);
    await console.reload();
    await eventually(async () => (await console.evaluate(() => document.documentElement.lang)) === language, `the console in ${language}`);
    await openConversation(console, "faktura.pdf");
    await console.getByRole("button", { name, exact: true }).waitFor();
  }
  assert.deepEqual(console.errors, []);
});

test("files dropped onto the conversation and an image pasted into the composer are sent; History finds them by name and its exports name them", async (t) => {
  const { relay, api, operator, visitor } = await setUp(t);
  const console = await signIn(operator, relay, api);
  await visitorWrites(visitor, relay, "Jak vrátím zboží?");
  await openConversation(console, "Jak vrátím zboží?");

  const dataTransfer = await console.evaluateHandle((bytes) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([new Uint8Array(bytes)], "reklamace.pdf", { type: "application/pdf" }));
    return transfer;
  }, [...PDF]);
  const conversation = console.locator("section.conversation");
  // Accepting a drag of files is what makes the conversation a place to drop them.
  const accepted = await conversation.evaluate((section, transfer) => {
    const over = new DragEvent("dragover", { dataTransfer: transfer, bubbles: true, cancelable: true });
    section.dispatchEvent(over);
    return over.defaultPrevented;
  }, dataTransfer);
  assert.equal(accepted, true);
  await conversation.dispatchEvent("drop", { dataTransfer });
  await tray(console).getByText("reklamace.pdf").waitFor();
  // Files alone are a message: Enter sends them.
  await console.getByRole("textbox", { name: "Message" }).press("Enter");
  await log(console).getByRole("link", { name: /^Download reklamace\.pdf/ }).waitFor();
  await tray(console).waitFor({ state: "detached" });

  // A screenshot from the clipboard.
  await console.getByRole("textbox", { name: "Message" }).evaluate(async (textarea) => {
    const canvas = document.createElement("canvas");
    canvas.width = 400;
    canvas.height = 300;
    const context = canvas.getContext("2d");
    context.fillStyle = "#27ae60";
    context.fillRect(0, 0, 400, 300);
    const image = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
    const transfer = new DataTransfer();
    transfer.items.add(new File([image], "snimek.png", { type: "image/png" }));
    textarea.dispatchEvent(new ClipboardEvent("paste", { clipboardData: transfer, bubbles: true, cancelable: true }));
  });
  await tray(console).getByText("snimek.png").waitFor();
  assert.equal(await tray(console).locator("img").count(), 1, "an image is previewed");
  assert.equal(await console.getByRole("textbox", { name: "Message" }).inputValue(), "", "a pasted file is not text");
  await console.getByRole("button", { name: "Send" }).click();
  await log(console).getByRole("button", { name: "Open snimek.png" }).waitFor();

  const sent = await fromOperator(api);
  assert.deepEqual(sent.map((message) => message.files.map((file) => file.name)), [["reklamace.pdf"], ["snimek.png"]]);
  assert.equal(sent[1].files[0].contentType, "image/png");

  // The History page finds the conversation by a file's name, the name marked in its snippet.
  await console.getByRole("navigation", { name: "Console" }).getByRole("button", { name: "History" }).click();
  const box = console.getByRole("searchbox", { name: "Search the history" });
  await box.fill("reklamace");
  await box.press("Enter");
  const results = console.getByRole("list", { name: "Results" });
  await eventually(async () => (await results.getByRole("listitem").count()) === 1 && (await results.getAttribute("aria-busy")) === "false", "one result");
  assert.equal(await results.locator(".snippet").innerText(), "📎 reklamace.pdf");
  assert.equal(await results.locator(".snippet mark").innerText(), "reklamace");

  // Opened, its messages show the files: the PDF as a link, the screenshot as a thumbnail.
  await results.getByRole("listitem").getByRole("button").first().click();
  const opened = console.getByRole("list", { name: "Messages" });
  await opened.getByRole("link", { name: `Download reklamace.pdf (${PDF.length} bytes)` }).waitFor();
  const thumbnail = opened.getByRole("button", { name: "Open snimek.png" });
  await thumbnail.click();
  const viewer = console.getByRole("dialog", { name: "snimek.png" });
  await viewer.waitFor();
  await console.keyboard.press("Escape");
  await viewer.waitFor({ state: "hidden" });
  await eventually(() => thumbnail.evaluate((button) => document.activeElement === button), "the focus back on the thumbnail");

  // The transcript names both files with their sizes.
  const [transcript] = await Promise.all([console.waitForEvent("download"), console.getByRole("button", { name: "Transcript (text)" }).click()]);
  const text = readFileSync(await transcript.path(), "utf8");
  assert.ok(text.includes(`[file] reklamace.pdf (${PDF.length} B)`), text);
  assert.match(text, /\[file\] snimek\.png \(\d/);
  // The History CSV names the file its search found, and the last message's.
  await console.getByRole("button", { name: "Back to results" }).click();
  const [csv] = await Promise.all([console.waitForEvent("download"), console.getByRole("button", { name: "Download CSV" }).click()]);
  const rows = readFileSync(await csv.path(), "utf8");
  assert.ok(rows.includes("📎 reklamace.pdf"), rows);
  assert.ok(rows.includes("[file] snimek.png"), rows);
  assert.deepEqual(console.errors, []);
});

test("an HTML page named .jpg is refused with the relay's reason, nothing is sent, and the text then goes alone", async (t) => {
  const { relay, api, operator, visitor } = await setUp(t);
  const console = await signIn(operator, relay, api);
  await visitorWrites(visitor, relay, "Máte reklamační formulář?");
  await openConversation(console, "Máte reklamační formulář?");

  await fileInput(console).setInputFiles({ name: "sleva.jpg", mimeType: "image/jpeg", buffer: PAGE });
  await console.getByRole("textbox", { name: "Message" }).fill("Tady je formulář.");
  await console.getByRole("button", { name: "Send" }).click();
  const refusal = console.getByRole("alert").filter({ hasText: "Not sent: this kind of file is not accepted" });
  await refusal.waitFor();

  // Nothing sent: no message anywhere, the file and the text still there to change.
  assert.equal((await fromOperator(api)).length, 0);
  assert.equal(await filesStored(relay), 0);
  assert.equal(await log(console).getByText("sleva.jpg").count(), 0);
  assert.equal(await log(console).getByText("Tady je formulář.").count(), 0);
  await tray(console).getByText("sleva.jpg").waitFor();
  assert.equal(await console.getByRole("textbox", { name: "Message" }).inputValue(), "Tady je formulář.");

  // Removing the file takes the refusal with it; the text then goes alone.
  await tray(console).getByRole("button", { name: "Remove sleva.jpg" }).click();
  await refusal.waitFor({ state: "detached" });
  await console.getByRole("button", { name: "Send" }).click();
  await log(console).getByText("Tady je formulář.").waitFor();
  await eventually(async () => (await messages(api)).some((message) => message.text === "Tady je formulář." && !message.files?.length), "the text stored without files");
  assert.deepEqual(console.errors, []);
});

test("a file over the relay's limit is refused as too large, whether the relay reads it or refuses it unread", async (t) => {
  const { relay, api, operator, visitor } = await setUp(t, ["--file-max-bytes", "100000"]);
  const console = await signIn(operator, relay, api);
  await visitorWrites(visitor, relay, "Pošlete katalog.");
  await openConversation(console, "Pošlete katalog.");

  // 150 kB is read up to the limit; 2 MB is more than any upload may be and refused unread.
  for (const size of [150_000, 2_000_000]) {
    await fileInput(console).setInputFiles({ name: "katalog.pdf", mimeType: "application/pdf", buffer: pdfOf(size) });
    await tray(console).getByText("katalog.pdf").waitFor();
    await console.getByRole("button", { name: "Send" }).click();
    const refusal = console.getByRole("alert").filter({ hasText: "Not sent: a file may have at most 100000 bytes" });
    await refusal.waitFor();
    assert.equal((await fromOperator(api)).length, 0, `${size} bytes: nothing stored`);
    assert.equal(await filesStored(relay), 0);
    await tray(console).getByRole("button", { name: "Remove katalog.pdf" }).click();
    await refusal.waitFor({ state: "detached" });
  }
  // A file under the limit goes.
  await fileInput(console).setInputFiles({ name: "katalog.pdf", mimeType: "application/pdf", buffer: pdfOf(90_000) });
  await console.getByRole("button", { name: "Send" }).click();
  await log(console).getByRole("link", { name: "Download katalog.pdf (90 kB)" }).waitFor();
  assert.deepEqual(console.errors, []);
});

test("an upload cancelled half-way stores nothing and keeps the file to send again", async (t) => {
  const { relay, api, operator, visitor } = await setUp(t);
  const console = await signIn(operator, relay, api);
  await visitorWrites(visitor, relay, "Máte návod k bundě?");
  await openConversation(console, "Máte návod k bundě?");

  // A slow line: 600 kB at 100 kB/s takes six seconds to go up.
  const devtools = await operator.newCDPSession(console);
  await devtools.send("Network.enable");
  await devtools.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 100_000 });
  const manual = pdfOf(600_000);
  await fileInput(console).setInputFiles({ name: "navod.pdf", mimeType: "application/pdf", buffer: manual });
  await console.getByRole("textbox", { name: "Message" }).fill("Tady je návod.");
  await console.getByRole("button", { name: "Send" }).click();
  const progress = console.getByRole("progressbar", { name: "Uploading…" });
  const value = async () => Number(await progress.getAttribute("value"));
  const halfway = await eventually(async () => {
    const percent = await value();
    return percent > 0 && percent < 100 && percent;
  }, "the upload part of the way");
  assert.ok(halfway < 100, `${halfway} %`);
  await console.getByRole("button", { name: "Cancel upload" }).click();
  await progress.waitFor({ state: "detached" });
  const composer = console.getByRole("textbox", { name: "Message" });
  await eventually(() => composer.evaluate((textarea) => textarea === document.activeElement), "the focus back in the composer");

  // No refusal: the operator stopped it. The file and the text wait to be sent.
  assert.deepEqual((await console.getByRole("alert").allInnerTexts()).filter((text) => text.trim()), []);
  await tray(console).getByText("navod.pdf").waitFor();
  assert.equal(await composer.inputValue(), "Tady je návod.");
  assert.equal((await fromOperator(api)).length, 0, "the relay has no message");
  assert.equal(await filesStored(relay), 0, "nor a file");

  // Sent again at full speed, it is stored once.
  await devtools.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await console.getByRole("button", { name: "Send" }).click();
  await log(console).getByRole("link", { name: /^Download navod\.pdf/ }).waitFor();
  const sent = await fromOperator(api);
  assert.equal(sent.length, 1);
  assert.equal(sent[0].text, "Tady je návod.");
  assert.equal(sent[0].files[0].size, manual.length);
  assert.equal(await filesStored(relay), 1);
  assert.deepEqual(console.errors, []);
});
