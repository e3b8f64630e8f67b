// The widget as a visitor uses it over time: two tabs, the keyboard, replies while it is closed.
import assert from "node:assert/strict";
import { test } from "node:test";
import { addAdmin, eventually, openShop, operatorApi, OPERATOR, sharedRelay, widget } from "./support.mjs";

const shared = sharedRelay();

async function say(page, text) {
  const box = widget(page).getByRole("textbox", { name: "Zpráva" });
  await box.fill(text);
  await box.press("Enter");
}

test("two tabs of one visitor stay in sync, even when the second was open first", async () => {
  const context = await shared.browser.newContext();
  const first = await openShop(context, `${shared.relay.url}/demo/`);
  const second = await openShop(context, `${shared.relay.url}/demo/product.html`);
  await widget(second).getByRole("button", { name: "Otevřít chat" }).click();
  await widget(first).getByRole("button", { name: "Otevřít chat" }).click();
  await say(first, "píšu z první karty");
  await widget(second).getByText("píšu z první karty").waitFor();
  await say(second, "a teď z druhé");
  await widget(first).getByText("a teď z druhé").waitFor();
  const conversations = await shared.api.conversations();
  const mine = conversations.filter((conversation) => conversation.lastMessage?.text === "a teď z druhé");
  assert.equal(mine.length, 1, "both tabs wrote into one conversation");
  assert.equal(mine[0].messageCount, 2);
  await context.close();
});

test("Escape closes the window and gives focus back to the launcher", async () => {
  const context = await shared.browser.newContext();
  const page = await openShop(context, `${shared.relay.url}/demo/`);
  const launcher = widget(page).getByRole("button", { name: "Otevřít chat" });
  await launcher.focus();
  await page.keyboard.press("Enter");
  const box = widget(page).getByRole("textbox", { name: "Zpráva" });
  await box.waitFor();
  // Focus moves in the frame that shows the window; this waits for it (and times out without it).
  await box.evaluate((element) => new Promise((done) => {
    const check = () => (element.getRootNode().activeElement === element ? done() : requestAnimationFrame(check));
    check();
  }));
  await page.keyboard.press("Escape");
  await widget(page).getByRole("dialog").waitFor({ state: "hidden" });
  const focused = await page.evaluate(() => document.querySelector("beseda-chat").shadowRoot.activeElement?.getAttribute("aria-label"));
  assert.equal(focused, "Otevřít chat");
  assert.equal(await widget(page).getByRole("button", { name: "Otevřít chat" }).getAttribute("aria-expanded"), "false");
  await context.close();
});

test("replies that arrive while the window is closed show an unread badge", async () => {
  const context = await shared.browser.newContext();
  const page = await openShop(context, `${shared.relay.url}/demo/`);
  await widget(page).getByRole("button", { name: "Otevřít chat" }).click();
  await say(page, "zavřu okno a počkám");
  await widget(page).getByText("Doručeno").waitFor();
  await widget(page).getByRole("button", { name: "Zavřít", exact: true }).click();
  const conversation = await eventually(
    async () => (await shared.api.conversations()).find((c) => c.lastMessage?.text === "zavřu okno a počkám"),
    "the conversation",
  );
  await shared.api.reply(conversation.id, "Odpověď číslo jedna");
  await shared.api.reply(conversation.id, "Odpověď číslo dvě");
  await widget(page).getByLabel("2 nepřečtené zprávy").waitFor();
  await widget(page).getByRole("button", { name: "Otevřít chat" }).click();
  await widget(page).getByText("Odpověď číslo dvě").waitFor();
  assert.equal(await widget(page).locator(".badge:visible").count(), 0);
  await context.close();
});

test("the visitor sees the operator typing", async () => {
  const context = await shared.browser.newContext();
  const page = await openShop(context, `${shared.relay.url}/demo/`);
  await widget(page).getByRole("button", { name: "Otevřít chat" }).click();
  await say(page, "je tu někdo?");
  await widget(page).getByText("Doručeno").waitFor();
  const conversation = await eventually(
    async () => (await shared.api.conversations()).find((c) => c.lastMessage?.text === "je tu někdo?"),
    "the conversation",
  );
  // The console's socket, from a page on the relay's own origin (the only one it accepts).
  const console_ = await context.newPage();
  await console_.goto(`${shared.relay.url}/healthz`);
  const login = await fetch(`${shared.relay.url}/api/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: OPERATOR.email, password: OPERATOR.password }),
  });
  const { token } = await login.json();
  await console_.evaluate(
    ({ url, token, conversationId }) =>
      new Promise((resolve, reject) => {
        const socket = new WebSocket(url.replace("http", "ws") + "/ws/operator");
        socket.onopen = () => socket.send(JSON.stringify({ type: "hello", version: 1, token }));
        socket.onmessage = (event) => {
          if (JSON.parse(event.data).type === "welcome") {
            socket.send(JSON.stringify({ type: "typing", conversationId, typing: true }));
            window.operatorSocket = socket;
            resolve();
          }
        };
        socket.onerror = reject;
      }),
    { url: shared.relay.url, token, conversationId: conversation.id },
  );
  await widget(page).getByText("Jana píše…").waitFor();
  await console_.evaluate((conversationId) =>
    window.operatorSocket.send(JSON.stringify({ type: "typing", conversationId, typing: false })), conversation.id);
  await widget(page).getByText("Jana píše…").waitFor({ state: "detached" });
  await context.close();
});

/** The shop owner (an admin), added once to the shared relay. */
let owner = null;
async function admin() {
  if (!owner) {
    const eva = { email: "eva@shop.example", password: "admin horse battery", name: "Eva" };
    addAdmin(shared.relay, eva);
    owner = await operatorApi(shared.relay, eva);
  }
  return owner;
}

test("a suggested question is offered in an empty chat and sent with one click", async () => {
  const api = await admin();
  const sites = (await api.call("GET", "/api/sites")).body;
  const demo = sites.find((site) => site.name === "demo");
  const questions = ["Kdy mi to dorazí?", "Mohu zboží vrátit?"];
  const saved = await api.call("PUT", "/api/sites/demo", { ...demo, suggestedQuestions: questions });
  assert.equal(saved.status, 200, JSON.stringify(saved.body));
  try {
    const context = await shared.browser.newContext();
    const page = await openShop(context, `${shared.relay.url}/demo/`);
    await widget(page).getByRole("button", { name: "Otevřít chat" }).click();
    const offered = widget(page).locator(".suggestion");
    await offered.first().waitFor();
    assert.deepEqual(await offered.allTextContents(), questions);
    await widget(page).getByRole("button", { name: "Mohu zboží vrátit?" }).click();
    // The question is the visitor's first message: stored, shown, and the offer is gone.
    await widget(page).locator(".message.mine").getByText("Mohu zboží vrátit?").waitFor();
    await widget(page).locator(".suggested").waitFor({ state: "hidden" });
    await eventually(
      async () => (await shared.api.conversations()).find((c) => c.lastMessage?.text === "Mohu zboží vrátit?"),
      "the question stored as a message",
    );
    await context.close();
  } finally {
    await api.call("PUT", "/api/sites/demo", demo);
  }
});

test("outside the opening hours the widget offers the form and says when the shop is back", async () => {
  const api = await admin();
  const demo = (await api.call("GET", "/api/sites")).body.find((site) => site.name === "demo");
  // Closed today and tomorrow (UTC), open round the clock otherwise: back the day after.
  const day = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  const weekly = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((d) => ({ day: d, open: "00:00", close: "24:00" }));
  const hours = { timeZone: "UTC", weekly, exceptions: [{ date: day(0) }, { date: day(1) }] };
  const saved = await api.call("PUT", "/api/sites/demo", { ...demo, hours });
  assert.equal(saved.status, 200, JSON.stringify(saved.body));
  try {
    const context = await shared.browser.newContext({ timezoneId: "America/New_York" });
    const page = await openShop(context, `${shared.relay.url}/demo/`);
    await widget(page).getByRole("button", { name: "Otevřít chat" }).click();
    // The operator is online, but the shop is closed: the contact form, and when it is back in
    // the visitor's own time zone (New York, not the shop's UTC).
    await widget(page).getByRole("textbox", { name: "E-mail" }).waitFor();
    const back = new Date(`${day(2)}T00:00:00Z`).toLocaleString("cs", {
      weekday: "long", hour: "numeric", minute: "2-digit", timeZone: "America/New_York",
    });
    await widget(page).getByText(`Jsme zpět ${back}.`).waitFor();
    // Opening hours again (none at all): the chat is back at once, without a reload.
    await api.call("PUT", "/api/sites/demo", demo);
    // The contact form (whose message box is also "Zpráva") goes, the composer stays.
    await widget(page).getByRole("textbox", { name: "E-mail" }).waitFor({ state: "hidden" });
    assert.equal(await widget(page).getByRole("textbox", { name: "Zpráva" }).count(), 1);
    assert.equal(await widget(page).getByText("Jsme zpět", { exact: false }).isVisible(), false);
    await context.close();
  } finally {
    await api.call("PUT", "/api/sites/demo", demo);
  }
});
