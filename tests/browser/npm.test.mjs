// The npm package as a front-end team uses it: a Vite app built against the packed tarball.
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { test } from "node:test";
import { serveDirectory, sharedRelay, widget } from "./support.mjs";

const shared = sharedRelay();

test("a Vite app with the packed npm package chats with the relay", async () => {
  const app = await serveDirectory(resolve("../../examples/vite-app/dist"));
  const context = await shared.browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`${app.url}/?relay=${encodeURIComponent(shared.relay.url)}`);
  await page.waitForFunction(() => window.chat);
  await page.getByRole("button", { name: "Ask us anything" }).click();
  await widget(page).getByText("We are here for you").waitFor();
  const stored = await page.evaluate(() => window.chat.send("hello from a Vite app"));
  assert.equal(stored.text, "hello from a Vite app");
  assert.equal(stored.author, "visitor");
  await page.getByText("visitor: hello from a Vite app").waitFor();
  assert.deepEqual(errors, []);
  await context.close();
  await app.close();
});
