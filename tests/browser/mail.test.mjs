// The contact form's whole path, against a real SMTP server (aiosmtpd): the shop is emailed, the
// visitor leaves, the operator's reply is emailed to them, and when they come back to the shop
// the widget shows the reply.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { test } from "node:test";
import { METRICS_TOKEN, addAdmin, eventually, launch, openShop, operatorApi, startRelay, widget } from "./support.mjs";

const OWNER = { email: "owner@shop.example", password: "the owner's password", name: "Owner" };
const VISITOR_EMAIL = "petr@example.cz";

/** A port nothing listens on right now. */
async function freePort() {
  const server = createServer();
  await new Promise((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address();
  await new Promise((done) => server.close(done));
  return port;
}

/** aiosmtpd on 127.0.0.1 (tests/support/smtp_sink.py): every email it accepts becomes a JSON file. */
async function startSmtp() {
  const port = await freePort();
  const directory = mkdtempSync(join(tmpdir(), "beseda-mail-"));
  const child = spawn("python3", [resolve("../support/smtp_sink.py"), String(port), directory], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = await new Promise((resolveLine, reject) => {
    createInterface({ input: child.stdout }).once("line", resolveLine);
    child.once("exit", (code) => reject(new Error(`the SMTP server exited with ${code} (is aiosmtpd installed?)`)));
  });
  assert.equal(line.trim(), "ready");
  const emails = () =>
    readdirSync(directory)
      .filter((name) => name.endsWith(".json") && !name.startsWith("."))
      .sort()
      .map((name) => JSON.parse(readFileSync(join(directory, name), "utf8")));
  return {
    port,
    emails,
    /** Waits for the `count`th email to `address` and returns them all. */
    waitFor: (address, count = 1) =>
      eventually(() => {
        const to = emails().filter((email) => email.envelopeTo.includes(address));
        return to.length >= count && to;
      }, `${count} email(s) to ${address}`),
    stop() {
      child.kill("SIGKILL");
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** A gauge from the relay's /metrics. */
async function metric(relay, name) {
  const text = await (await fetch(`${relay.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${name} `));
  return Number(line.split(" ")[1]);
}

test("a visitor who left the contact form gets the reply by email and sees it when they come back", async (t) => {
  const smtp = await startSmtp();
  // The relay's port is chosen here, so that its public address (for the console link in the
  // shop's email) is known before it starts.
  const port = await freePort();
  const relay = await startRelay({
    port,
    args: [
      "--smtp-host", "127.0.0.1", "--smtp-port", String(smtp.port), "--smtp-tls", "none",
      "--mail-from", "chat@shop.example", "--public-url", `http://127.0.0.1:${port}`,
    ],
  });
  const browser = await launch();
  t.after(async () => {
    await browser.close();
    await relay.stop();
    relay.cleanup();
    smtp.stop();
  });
  addAdmin(relay, OWNER);
  const api = await operatorApi(relay);
  const context = await browser.newContext();
  const shopUrl = `${relay.url}/demo/`;

  // Nobody is online: the visitor leaves a message through the contact form.
  const page = await openShop(context, shopUrl);
  await widget(page).getByRole("button", { name: "Otevřít chat" }).click();
  await widget(page).getByRole("textbox", { name: "E-mail" }).fill(VISITOR_EMAIL);
  await widget(page).getByRole("textbox", { name: "Zpráva" }).fill("Máte bundu Alpina v XL?");
  await widget(page).getByRole("button", { name: "Odeslat" }).click();
  await widget(page).getByText("Děkujeme, odpověď pošleme na váš e-mail.").waitFor();
  const [toShop] = await smtp.waitFor(OWNER.email);
  assert.equal(toShop.replyTo, VISITOR_EMAIL);
  assert.match(toShop.subject, /^Horská bunda: /);
  assert.match(toShop.body, /Máte bundu Alpina v XL\?/);

  // The email's link opens the conversation in the console, after signing in.
  const link = toShop.body.match(/http:\/\/\S+\/console\/#\/conversations\/\d+/)[0];
  const consolePage = await context.newPage();
  await consolePage.goto(link);
  await consolePage.getByLabel("Email").fill(OWNER.email);
  await consolePage.getByLabel("Password").fill(OWNER.password);
  await consolePage.getByRole("button", { name: "Sign in" }).click();
  const opened = consolePage.getByRole("region", { name: /Petr|petr@example\.cz/ });
  await opened.getByRole("log", { name: "Messages" }).getByText("Máte bundu Alpina v XL?").waitFor();
  await consolePage.close();

  // The visitor leaves the shop; the operator answers later.
  await page.goto("about:blank");
  await eventually(async () => (await metric(relay, "beseda_visitor_connections")) === 0, "the widget to disconnect");
  const [conversation] = await eventually(api.conversations, "the conversation");
  assert.equal((await api.reply(conversation.id, "Ano, XL máme skladem.")).status, 201);
  const [toVisitor] = await smtp.waitFor(VISITOR_EMAIL);
  assert.equal(toVisitor.subject, "Horská bunda: odpověď na vaši zprávu");
  assert.equal(toVisitor.from, "Horská bunda <chat@shop.example>");
  assert.match(toVisitor.body, /Jana:\nAno, XL máme skladem\./);
  assert.match(toVisitor.body, new RegExp(`${shopUrl}`), "the link back to the shop's page");

  // Back on the shop, the widget shows the conversation with the reply.
  await page.goto(shopUrl);
  await page.evaluate(() => new Promise((resolveReady) => window.Beseda.on("ready", resolveReady)));
  await widget(page).getByRole("button", { name: "Otevřít chat" }).click();
  await widget(page).getByText("Máte bundu Alpina v XL?").waitFor();
  await widget(page).getByText("Ano, XL máme skladem.").waitFor();
  assert.deepEqual(page.errors ?? [], []);
});
