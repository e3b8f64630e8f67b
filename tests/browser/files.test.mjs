// Files in the widget, in Chromium against the real relay: attaching by the button, by a drop on
// the window and by a paste; the previews, removing one, the progress, cancelling, a refusal in the
// visitor's language, a resend after a network failure under the same client id; thumbnails that
// open larger, after a reload too; an operator's PDF downloaded by the visitor. The operator's
// side is read over REST. The files module is fetched only once a file is needed.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { TEXTS } from "../../widget/files/texts.js";
import { eventually, launch, openShop, operatorApi, settled, startRelay, widget } from "./support.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser.close();
});

/** A relay with the operator online and a fresh browser profile, both gone when the test ends. */
async function setUp(t, args = []) {
  const relay = await startRelay({ args });
  const api = await operatorApi(relay);
  await api.setOnline(true);
  const context = await browser.newContext({ acceptDownloads: true });
  t.after(async () => {
    await context.close();
    await relay.stop();
    relay.cleanup();
  });
  return { relay, api, context };
}

/** The demo shop with the chat open and welcomed (the visitor has a token). The files module's
 * requests are counted on the page (`page.filesModule`). */
async function openChat(context, relay) {
  const page = await openShop(context, `${relay.url}/demo/`);
  page.filesModule = 0;
  page.on("request", (request) => {
    if (/\/widget\/files-[0-9a-f]+\.js$/.test(request.url())) page.filesModule += 1;
  });
  await widget(page).getByRole("button", { name: "Otevřít chat" }).click();
  await widget(page).getByText("Jsme tu pro vás").waitFor();
  await settled(page);
  return page;
}

/** A PNG drawn in the page: `noise` makes it weigh about 4 bytes a pixel (it does not compress). */
async function png(page, width, height, noise = false) {
  const base64 = await page.evaluate(async ([width, height, noise]) => {
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext("2d");
    if (noise) {
      const image = context.createImageData(width, height);
      for (let start = 0; start < image.data.length; start += 65536) {
        crypto.getRandomValues(image.data.subarray(start, start + 65536));
      }
      for (let alpha = 3; alpha < image.data.length; alpha += 4) image.data[alpha] = 255;
      context.putImageData(image, 0, 0);
    } else {
      context.fillStyle = "#c0392b";
      context.fillRect(0, 0, width, height);
      context.fillStyle = "#ffffff";
      context.fillRect(width / 4, height / 4, width / 2, height / 2);
    }
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let text = "";
    for (const byte of bytes) text += String.fromCharCode(byte);
    return btoa(text);
  }, [width, height, noise]);
  return Buffer.from(base64, "base64");
}

const PDF = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");

/** Picks files through the attach button's file chooser, as a visitor does. */
async function pick(page, files) {
  const [chooser] = await Promise.all([
    page.waitForEvent("filechooser"),
    widget(page).getByRole("button", { name: "Přiložit soubor" }).click(),
  ]);
  assert.ok(chooser.isMultiple(), "several files may be picked at once");
  await chooser.setFiles(files);
}

/** The visitor's only conversation, once it holds `count` messages with files. */
async function withFiles(api, count) {
  return eventually(async () => {
    const [summary] = await api.conversations();
    if (!summary) return null;
    const detail = await api.conversation(summary.id);
    const messages = detail.messages.filter((message) => message.files?.length);
    return messages.length >= count ? { id: summary.id, messages } : null;
  }, `${count} messages with files`);
}

test("a visitor attaches photos by the button: previews, removing one, progress, the thumbnail that opens larger, after a reload too", async (t) => {
  const { relay, api, context } = await setUp(t);
  const page = await openChat(context, relay);
  assert.equal(page.filesModule, 0, "the files module waits until a file is needed");
  // The attach button sits over a file input that offers photos (and the camera), PDFs and text.
  const input = widget(page).locator("input[type=file]");
  assert.equal(await input.getAttribute("accept"), "image/*,application/pdf,text/plain");

  const photo = await png(page, 600, 400, true);
  await pick(page, [
    { name: "rozbity-balik.png", mimeType: "image/png", buffer: photo },
    { name: "poznamka.txt", mimeType: "text/plain", buffer: Buffer.from("Krabice byla promáčklá.\n") },
  ]);
  const tray = widget(page).locator(".tray");
  await tray.getByText("rozbity-balik.png").waitFor();
  await tray.getByText("poznamka.txt").waitFor();
  // An image previews as a thumbnail (from the file itself), every file with its size.
  assert.equal(await tray.locator("li img").count(), 1);
  assert.match(await tray.locator("li").first().textContent(), /\d+(,\d)? (kB|MB)/);
  await tray.getByRole("button", { name: "Odebrat: poznamka.txt" }).click();
  assert.equal(await tray.getByText("poznamka.txt").count(), 0);
  assert.equal(page.filesModule, 1);

  // The progress bar's values while the upload runs, recorded as they change.
  await page.evaluate(() => {
    const progress = document.querySelector("beseda-chat").shadowRoot.querySelector(".tray progress");
    window.progressSeen = [];
    new MutationObserver(() => {
      if (!progress.hidden) window.progressSeen.push(progress.value);
    }).observe(progress, { attributes: true });
  });
  await tray.getByRole("button", { name: "Odeslat soubory" }).click();
  const { id, messages } = await withFiles(api, 1);
  const [file] = messages[0].files;
  assert.equal(messages[0].author, "visitor");
  assert.equal(file.name, "rozbity-balik.png");
  assert.equal(file.contentType, "image/png");
  assert.equal(messages[0].files.length, 1, "the removed file was not sent");
  const progress = await page.evaluate(() => window.progressSeen);
  assert.ok(progress.some((value) => value > 0), `the progress bar moved: ${JSON.stringify(progress)}`);
  // Sent, the tray empties and the message shows the thumbnail, loaded with the visitor's token.
  await eventually(async () => tray.isHidden(), "the tray emptied");
  const thumbnail = widget(page).locator(".message.mine .files .thumb img");
  await thumbnail.waitFor();
  await eventually(() => thumbnail.evaluate((image) => image.complete && image.naturalWidth > 0), "the thumbnail loaded");
  // The operator fetches the file with their bearer token.
  const stored = await fetch(`${relay.url}${file.url}`, { headers: { authorization: `Bearer ${api.token}` } });
  assert.equal(stored.status, 200);
  assert.equal(stored.headers.get("content-type"), "image/png");

  // A click opens it larger, in the widget; Escape closes that view only and the focus returns.
  await widget(page).locator(".message.mine .files").getByRole("link", { name: "rozbity-balik.png" }).click();
  const viewer = widget(page).getByRole("dialog", { name: "rozbity-balik.png" });
  await viewer.waitFor();
  const large = viewer.locator("img");
  await eventually(() => large.evaluate((image) => image.complete && image.naturalWidth === 600), "the larger image loaded");
  await page.keyboard.press("Escape");
  await viewer.waitFor({ state: "detached" });
  assert.equal(await widget(page).locator(".window").isVisible(), true, "the chat stays open");
  assert.equal(await page.evaluate(() => document.querySelector("beseda-chat").shadowRoot.activeElement?.className), "thumb");

  // After a reload the message shows its thumbnail as any message shows again.
  await page.reload();
  await page.evaluate(() => new Promise((resolve) => window.Beseda.on("ready", resolve)));
  await widget(page).getByRole("button", { name: "Otevřít chat" }).click();
  const again = widget(page).locator(".message.mine .files .thumb img");
  await again.waitFor();
  await eventually(() => again.evaluate((image) => image.complete && image.naturalWidth > 0), "the thumbnail loaded after the reload");
  assert.equal((await api.conversation(id)).messages.filter((message) => message.files?.length).length, 1);
  assert.deepEqual(page.errors, []);
});

test("a photo dropped on the window and one pasted into the composer go as one message", async (t) => {
  const { relay, api, context } = await setUp(t);
  const page = await openChat(context, relay);
  const dropped = (await png(page, 120, 90)).toString("base64");
  const pasted = (await png(page, 80, 60)).toString("base64");
  // A drop of a file on the chat window, as the browser dispatches it.
  const dropAccepted = await page.evaluate((base64) => {
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], "drop.png", { type: "image/png" }));
    const window = document.querySelector("beseda-chat").shadowRoot.querySelector(".window");
    const over = new DragEvent("dragover", { dataTransfer: transfer, bubbles: true, cancelable: true, composed: true });
    window.querySelector(".log").dispatchEvent(over);
    window.querySelector(".log").dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true, composed: true }));
    // The drag over was accepted: the browser would otherwise open the file in place of the shop.
    return over.defaultPrevented;
  }, dropped);
  assert.ok(dropAccepted);
  const tray = widget(page).locator(".tray");
  await tray.getByText("drop.png").waitFor();
  // A paste of an image (a screenshot, say) into the composer.
  await page.evaluate((base64) => {
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], "image.png", { type: "image/png" }));
    const composer = document.querySelector("beseda-chat").shadowRoot.querySelector(".composer textarea");
    composer.dispatchEvent(new ClipboardEvent("paste", { clipboardData: transfer, bubbles: true, cancelable: true, composed: true }));
  }, pasted);
  await tray.getByText("image.png").waitFor();
  // The typed text goes with the files: Enter sends them all as one message.
  const composer = widget(page).getByRole("textbox", { name: "Zpráva" });
  await composer.fill("Takhle balík přišel.");
  // Pasting text still pastes text: the widget leaves it alone.
  const textPaste = await page.evaluate(() => {
    const transfer = new DataTransfer();
    transfer.setData("text/plain", "objednávka 1234");
    const composer = document.querySelector("beseda-chat").shadowRoot.querySelector(".composer textarea");
    const paste = new ClipboardEvent("paste", { clipboardData: transfer, bubbles: true, cancelable: true, composed: true });
    composer.dispatchEvent(paste);
    return paste.defaultPrevented;
  });
  assert.equal(textPaste, false);
  assert.equal(await tray.locator("li").count(), 2);

  await composer.press("Enter");
  const { messages } = await withFiles(api, 1);
  assert.deepEqual(messages[0].files.map((file) => file.name).sort(), ["drop.png", "image.png"]);
  assert.equal(messages[0].text, "Takhle balík přišel.");
  await eventually(async () => (await composer.inputValue()) === "", "the composer emptied");
  await eventually(async () => (await widget(page).locator(".message.mine .files .thumb").count()) === 2, "both thumbnails");
  assert.deepEqual(page.errors, []);
});

test("cancelling an upload sends nothing; a refused file says why in the visitor's language and nothing is sent", async (t) => {
  const { relay, api, context } = await setUp(t, ["--file-max-bytes", "200000"]);
  const page = await openChat(context, relay);
  // The upload is held on its way (it never reaches the relay) until it is cancelled.
  let held = 0;
  let heldRoute;
  await page.route("**/visitor/files", (route) => {
    held += 1;
    heldRoute = route;
  });
  await pick(page, [{ name: "faktura.pdf", mimeType: "application/pdf", buffer: PDF }]);
  const tray = widget(page).locator(".tray");
  await tray.getByRole("button", { name: "Odeslat soubory" }).click();
  await tray.locator("progress").waitFor();
  await tray.getByText("Odesílá se…").waitFor();
  await eventually(() => held === 1, "the upload on its way");
  await tray.getByRole("button", { name: "Zrušit" }).click();
  await eventually(async () => tray.isHidden(), "the tray emptied");
  // The held request fails as the network would fail it: unrouted, it would go on to the relay.
  await heldRoute.abort();
  await page.unroute("**/visitor/files");

  // A page of HTML named as a PDF: refused from its bytes, said in Czech, the file stays in the tray.
  await pick(page, [{ name: "faktura.pdf", mimeType: "application/pdf", buffer: Buffer.from("<!doctype html><script>alert(1)</script>") }]);
  await tray.getByRole("button", { name: "Odeslat soubory" }).click();
  await tray.getByRole("alert").getByText("Tento typ souboru poslat nelze. Pošlete fotku, PDF nebo text.").waitFor();
  await tray.getByText("faktura.pdf").waitFor();
  await tray.getByRole("button", { name: "Odebrat: faktura.pdf" }).click();

  // Over the relay's size limit: 413, said in Czech.
  const large = await png(page, 400, 400, true);
  assert.ok(large.length > 200000);
  await pick(page, [{ name: "velka.png", mimeType: "image/png", buffer: large }]);
  await tray.getByRole("button", { name: "Odeslat soubory" }).click();
  await tray.getByRole("alert").getByText("Soubor je příliš velký. Nejvýše 200 kB.").waitFor();
  await tray.getByRole("button", { name: "Zrušit" }).click();

  // Then a text is sent: once it is stored, nothing before it was.
  await widget(page).getByRole("textbox", { name: "Zpráva" }).fill("Posílám to raději mailem.");
  await widget(page).getByRole("textbox", { name: "Zpráva" }).press("Enter");
  await widget(page).getByText("Doručeno").waitFor();
  const [summary] = await eventually(api.conversations, "the conversation");
  const detail = await api.conversation(summary.id);
  assert.deepEqual(detail.messages.map((message) => [message.text, message.files?.length ?? 0]), [["Posílám to raději mailem.", 0]]);
  // Nothing half-sent shows as sent.
  assert.equal(await widget(page).locator(".message .files > *").count(), 0);
  assert.deepEqual(page.errors, []);
});

test("after a network failure the upload goes again under the same client id and is stored once", async (t) => {
  const { relay, api, context } = await setUp(t);
  const page = await openChat(context, relay);
  const clientIds = [];
  await page.route("**/visitor/files", async (route) => {
    const body = route.request().postDataBuffer().toString("latin1");
    clientIds.push(/name="clientId"\r\n\r\n([^\r]+)/.exec(body)[1]);
    // The first try is lost on the network; the second reaches the relay.
    if (clientIds.length === 1) await route.abort("connectionreset");
    else await route.continue();
  });
  await pick(page, [{ name: "foto.png", mimeType: "image/png", buffer: await png(page, 64, 64) }]);
  await widget(page).locator(".tray").getByRole("button", { name: "Odeslat soubory" }).click();
  const { messages } = await withFiles(api, 1);
  assert.equal(clientIds.length, 2);
  assert.equal(clientIds[0], clientIds[1], "the resend keeps the client id");
  assert.equal(messages[0].clientId, clientIds[0]);
  await widget(page).locator(".message.mine .files .thumb").waitFor();
  assert.deepEqual(page.errors, []);
});

test("an operator's PDF shows as a link with its name and size, and the visitor downloads it", async (t) => {
  const { relay, api, context } = await setUp(t);
  const page = await openChat(context, relay);
  await widget(page).getByRole("textbox", { name: "Zpráva" }).fill("Pošlete mi prosím fakturu.");
  await widget(page).getByRole("textbox", { name: "Zpráva" }).press("Enter");
  await widget(page).getByText("Doručeno").waitFor();
  const [summary] = await eventually(api.conversations, "the conversation");
  assert.equal(page.filesModule, 0);

  const form = new FormData();
  form.append("clientId", "operator-invoice-1");
  form.append("text", "Tady je faktura.");
  form.append("file", new Blob([PDF], { type: "application/pdf" }), "faktura-2041.pdf");
  const sent = await fetch(`${relay.url}/api/conversations/${summary.id}/files`, {
    method: "POST",
    headers: { authorization: `Bearer ${api.token}` },
    body: form,
  });
  assert.equal(sent.status, 201);

  await widget(page).getByText("Tady je faktura.").waitFor();
  const link = widget(page).getByRole("link", { name: "faktura-2041.pdf" });
  await link.waitFor();
  assert.match(await link.locator("..").textContent(), /faktura-2041\.pdf \(\d+ B\)/);
  const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
  assert.equal(download.suggestedFilename(), "faktura-2041.pdf");
  const chunks = [];
  for await (const chunk of await download.createReadStream()) chunks.push(chunk);
  assert.deepEqual(Buffer.concat(chunks), PDF);
  assert.deepEqual(page.errors, []);
});

test("the files module says everything in the widget's six languages", () => {
  assert.deepEqual(Object.keys(TEXTS).sort(), ["cs", "de", "en", "pl", "ru", "sk"]);
  const keys = Object.keys(TEXTS.en).sort();
  for (const [lang, texts] of Object.entries(TEXTS)) {
    assert.deepEqual(Object.keys(texts).sort(), keys, `${lang} has every text`);
    assert.equal(texts.lang, lang);
    for (const [key, text] of Object.entries(texts)) assert.ok(text.trim(), `${lang}.${key} is not empty`);
    for (const key of ["limit", "tooMany"]) assert.ok(texts[key].includes("#"), `${lang}.${key} has its number`);
  }
});
