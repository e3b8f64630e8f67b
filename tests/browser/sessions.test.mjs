// Sessions in the console against the real relay: "Sign out" ends the session on the relay (the
// token the console kept opens nothing any more), the password is changed through the settings
// form, and an admin who disables an operator signs that operator's open console out at once.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { OPERATOR, addAdmin, launch, operatorApi, startRelay } from "./support.mjs";

const EVA = { email: "eva@shop.example", password: "admin horse battery", name: "Eva" };
const PETR = { email: "petr@shop.example", password: "petr horse battery", name: "Petr" };
const TOKEN_KEY = "beseda.console.token";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser.close();
});

/** A relay, stopped and removed when the test ends. */
async function setUp(t) {
  const relay = await startRelay();
  t.after(async () => {
    await relay.stop();
    relay.cleanup();
  });
  return relay;
}

/** A browser profile with the console open and signed in through the form. */
async function signIn(t, relay, who) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 800 } });
  t.after(() => context.close());
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (error) => page.errors.push(error.message));
  await page.goto(`${relay.url}/console/`);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("switch", { name: "Available" }).waitFor();
  return page;
}

/** The status of `GET /api/me` with this token. */
async function meStatus(relay, token) {
  const response = await fetch(`${relay.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
  return response.status;
}

async function loginStatus(relay, who, password = who.password) {
  const response = await fetch(`${relay.url}/api/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: who.email, password }),
  });
  return response.status;
}

test("signing out ends the session on the relay, not only in the console", async (t) => {
  const relay = await setUp(t);
  const console = await signIn(t, relay, OPERATOR);
  const token = await console.evaluate((key) => localStorage.getItem(key), TOKEN_KEY);
  assert.ok(token, "the console keeps its token");
  assert.equal(await meStatus(relay, token), 200);

  await console.getByRole("button", { name: "Sign out" }).click();
  await console.getByRole("button", { name: "Sign in" }).waitFor();
  assert.equal(await console.evaluate((key) => localStorage.getItem(key), TOKEN_KEY), null);
  assert.equal(await meStatus(relay, token), 401, "the old token opens nothing");
  assert.deepEqual(console.errors, []);
});

test("the password is changed in the settings; the current one is required", async (t) => {
  const relay = await setUp(t);
  const console = await signIn(t, relay, OPERATOR);
  const elsewhere = await operatorApi(relay);
  await console.getByRole("button", { name: "Settings" }).click();
  const form = console.getByRole("region", { name: "Password" });
  const newPassword = "a brand new password";

  await form.getByLabel("Current password").fill("not my password");
  await form.getByLabel("New password").fill(newPassword);
  await form.getByRole("button", { name: "Change password" }).click();
  await form.getByRole("alert").getByText("the current password is not right").waitFor();
  assert.equal(await loginStatus(relay, OPERATOR), 200, "the old password still works");

  await form.getByLabel("Current password").fill(OPERATOR.password);
  await form.getByLabel("New password").fill(newPassword);
  await form.getByRole("button", { name: "Change password" }).click();
  await form.getByRole("status").getByText("Password changed.").waitFor();
  assert.equal(await form.getByText("the current password is not right").count(), 0, "the error is gone");

  assert.equal(await meStatus(relay, elsewhere.token), 401, "the other session ended");
  const token = await console.evaluate((key) => localStorage.getItem(key), TOKEN_KEY);
  assert.equal(await meStatus(relay, token), 200, "this console stays signed in");
  assert.equal(await loginStatus(relay, OPERATOR), 401, "the old password is refused");
  assert.equal(await loginStatus(relay, OPERATOR, newPassword), 200);
  assert.deepEqual(console.errors, []);
});

test("an admin disables Petr in the console and Petr's open console is signed out", async (t) => {
  const relay = await setUp(t);
  addAdmin(relay, EVA);
  const admin = await operatorApi(relay, EVA);
  const added = await admin.call("POST", "/api/operators", { ...PETR, admin: false });
  assert.equal(added.status, 201);
  const petr = await signIn(t, relay, PETR);
  const petrToken = await petr.evaluate((key) => localStorage.getItem(key), TOKEN_KEY);

  const console = await signIn(t, relay, EVA);
  await console.getByRole("button", { name: "Settings" }).click();
  const petrRow = console.getByRole("row").filter({ hasText: PETR.email });
  // An admin is offered no button to disable themselves.
  assert.equal(await console.getByRole("button", { name: `Disable ${EVA.email}` }).count(), 0);
  await petrRow.getByRole("button", { name: `Disable ${PETR.email}` }).click();
  await petrRow.getByRole("cell", { name: "Disabled", exact: true }).waitFor();

  // Petr's console hears it over its socket and returns to the sign-in form by itself.
  await petr.getByRole("button", { name: "Sign in" }).waitFor();
  assert.equal(await meStatus(relay, petrToken), 401);
  assert.equal(await loginStatus(relay, PETR), 401, "a disabled operator cannot sign in");

  await petrRow.getByRole("button", { name: `Enable ${PETR.email}` }).click();
  await petrRow.getByRole("button", { name: `Disable ${PETR.email}` }).waitFor();
  assert.equal(await petrRow.getByRole("cell", { name: "Disabled", exact: true }).count(), 0);
  assert.equal(await loginStatus(relay, PETR), 200, "enabled again, Petr signs in");
  assert.deepEqual(console.errors, []);
});
