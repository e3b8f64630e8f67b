// Webhooks in the operator console, in Chromium against the real relay and a real HTTP receiver
// on 127.0.0.1 that checks every signature: an admin adds an endpoint and sees its secret once,
// sends a test event (signed with that secret), reads the delivery log with the receiver's
// answer, delivers a refused event again under the same id, asks for a new secret (the old one
// still signs for a day), edits and deletes the endpoint; the relay's refusals show in the form.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import { after, before, test } from "node:test";
import { expectNoViolations } from "./axe.mjs";
import { addAdmin, eventually, launch, startRelay } from "./support.mjs";

const EVA = { email: "eva@shop.example", password: "admin horse battery", name: "Eva" };

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser.close();
});

/** A receiver on 127.0.0.1 that records each delivery with its signatures and answers with
 *  `reply` (status and body), which the test may change. */
async function startReceiver() {
  const receiver = { deliveries: [], reply: { status: 200, body: "ok" } };
  const server = createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const header = request.headers["beseda-signature"] ?? "";
      const parts = header.split(",");
      const timestamp = parts.find((part) => part.startsWith("t="))?.slice(2);
      const signatures = parts.filter((part) => part.startsWith("v1=")).map((part) => part.slice(3));
      receiver.deliveries.push({ raw, event: JSON.parse(raw), timestamp, signatures, eventId: request.headers["beseda-event-id"] });
      response.writeHead(receiver.reply.status, { "content-type": "text/plain" });
      response.end(receiver.reply.body);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${server.address().port}/hook`;
  receiver.close = () => new Promise((resolve) => server.close(resolve));
  return receiver;
}

/** Whether `secret` signed this delivery: HMAC-SHA256 of "t.raw_body", in hex. */
function signedWith(delivery, secret) {
  const expected = createHmac("sha256", secret).update(`${delivery.timestamp}.${delivery.raw}`).digest("hex");
  return delivery.signatures.includes(expected);
}

async function setUp(t) {
  const relay = await startRelay({ args: ["--webhook-allow-private"] });
  addAdmin(relay, EVA);
  const receiver = await startReceiver();
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  t.after(async () => {
    await context.close();
    await relay.stop();
    relay.cleanup();
    await receiver.close();
  });
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (error) => page.errors.push(error.message));
  await page.goto(`${relay.url}/console/`);
  await page.getByLabel("Email").fill(EVA.email);
  await page.getByLabel("Password").fill(EVA.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Settings" }).click();
  const section = page.getByRole("region", { name: "Webhooks" });
  await section.waitFor();
  return { relay, receiver, page, section };
}

test("an admin adds an endpoint, tests it, reads its deliveries and delivers again", async (t) => {
  const { receiver, page, section } = await setUp(t);
  const form = section.getByRole("form", { name: "Webhook" });

  // The relay refuses what is not an http(s) address; nothing is added.
  await form.getByLabel("Address (URL)").fill("ftp://127.0.0.1/hook");
  await form.getByLabel("message.created").check();
  await form.getByRole("button", { name: "Add webhook" }).click();
  await form.getByRole("alert").waitFor();
  assert.notEqual((await form.getByRole("alert").textContent()).trim(), "");
  assert.equal(await section.locator("tbody tr").count(), 0);

  await form.getByLabel("Address (URL)").fill(receiver.url);
  await form.getByLabel("conversation.created").check();
  await form.getByRole("button", { name: "Add webhook" }).click();
  await form.getByRole("status").getByText("Webhook saved.").waitFor();
  const secretField = section.getByRole("textbox", { name: "The signing secret, shown this once — copy it now" });
  const secret = await secretField.inputValue();
  assert.ok(secret.length >= 32, secret);
  const row = section.getByRole("row").filter({ hasText: receiver.url });
  assert.deepEqual((await row.locator("td").allTextContents()).slice(0, 3), [
    receiver.url,
    "conversation.created, message.created",
    "Enabled",
  ]);

  // A test event, signed with the secret just shown.
  await row.getByRole("button", { name: `Send test event to ${receiver.url}` }).click();
  await section.getByRole("status").getByText("Test event queued.").waitFor();
  await eventually(() => receiver.deliveries.length === 1, "the test event arrives");
  const first = receiver.deliveries[0];
  assert.equal(first.event.type, "webhook.test");
  assert.equal(first.eventId, first.event.id);
  assert.ok(signedWith(first, secret), "signed with the secret shown");

  // The delivery log shows it delivered, with the receiver's answer.
  await row.getByRole("button", { name: `Deliveries to ${receiver.url}` }).click();
  const log = section.locator(".deliveries");
  const delivered = log.getByRole("row").filter({ hasText: "webhook.test" });
  await delivered.waitFor();
  const cells = await delivered.first().locator("td").allTextContents();
  assert.deepEqual([cells[0], cells[1], cells[3], cells[5]], ["webhook.test", "Delivered", "200", "ok"]);
  assert.match(cells[4], /^\d+ ms$/);
  // The section with a secret shown and the log open meets WCAG 2.x A/AA too.
  await expectNoViolations(page, { context: "Settings → Webhooks with its delivery log" });

  // Refused for good (410): failed, shown with its answer; delivered again, same id.
  receiver.reply = { status: 410, body: "gone for now" };
  await row.getByRole("button", { name: `Send test event to ${receiver.url}` }).click();
  await eventually(() => receiver.deliveries.length === 2, "the second test event arrives");
  const refusedId = receiver.deliveries[1].eventId;
  await eventually(async () => {
    await log.getByRole("button", { name: "Refresh" }).click();
    return (await log.getByRole("row").filter({ hasText: "Failed" }).count()) === 1;
  }, "the refused delivery shows as failed");
  const failed = log.getByRole("row").filter({ hasText: "Failed" });
  assert.deepEqual((await failed.locator("td").allTextContents()).slice(3, 6).filter((_, i) => i !== 1), ["410", "gone for now"]);
  receiver.reply = { status: 200, body: "ok" };
  await failed.getByRole("button", { name: "Deliver again: webhook.test" }).click();
  await log.getByRole("status").getByText("Queued to be delivered again.").waitFor();
  await eventually(() => receiver.deliveries.length === 3, "the redelivery arrives");
  assert.equal(receiver.deliveries[2].eventId, refusedId, "the same event id");

  // A new secret: both sign for a day.
  await row.getByRole("button", { name: `New secret for ${receiver.url}` }).click();
  await section.getByRole("status").getByText("New secret made: the previous one works for 24 hours more.").waitFor();
  await eventually(async () => (await secretField.inputValue()) !== secret, "the new secret is shown");
  const rotated = await secretField.inputValue();
  await row.getByRole("button", { name: `Send test event to ${receiver.url}` }).click();
  await eventually(() => receiver.deliveries.length === 4, "a test event after the new secret");
  assert.ok(signedWith(receiver.deliveries[3], rotated), "signed with the new secret");
  assert.ok(signedWith(receiver.deliveries[3], secret), "and with the old one, for a day");

  // Edited: disabled, one event fewer; then deleted.
  await row.getByRole("button", { name: `Edit webhook ${receiver.url}` }).click();
  await form.getByLabel("conversation.created").uncheck();
  await form.getByLabel("Enabled").uncheck();
  await form.getByRole("button", { name: "Save webhook" }).click();
  await form.getByRole("status").getByText("Webhook saved.").waitFor();
  await eventually(async () => (await row.locator("td").nth(2).textContent()) === "Disabled", "shown disabled");
  assert.equal(await row.locator("td").nth(1).textContent(), "message.created");
  await row.getByRole("button", { name: `Delete webhook ${receiver.url}` }).click();
  await section.getByRole("status").getByText("Webhook deleted.").waitFor();
  await eventually(async () => (await section.locator("tbody tr").filter({ hasText: receiver.url }).count()) === 0, "the row goes");
  assert.deepEqual(page.errors, []);
});
