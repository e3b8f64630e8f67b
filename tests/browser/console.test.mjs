// The operator console in Chromium against the real relay, with a visitor on the demo shop in
// another browser profile: signing in, messages arriving live, replying, the "/" shortcut picker,
// availability, resolving, typing, the visitor's context, settings and signing out.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { OPERATOR, addAdmin, eventually, launch, openShop, operatorApi, startRelay, widget } from "./support.mjs";

const EVA = { email: "eva@shop.example", password: "admin horse battery", name: "Eva" };
const PETRA = { email: "petra@shop.example", password: "petra horse battery", name: "Petra" };

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser.close();
});

/** A relay, an operator's browser profile and a visitor's; all go when the test ends. */
async function setUp(t) {
  const relay = await startRelay();
  const api = await operatorApi(relay);
  const operator = await browser.newContext({ viewport: { width: 1366, height: 800 } });
  const visitor = await browser.newContext();
  // A test that restarts the relay puts the new one here, so that it is the one stopped.
  const setup = { relay, api, operator, visitor };
  t.after(async () => {
    await operator.close();
    await visitor.close();
    await setup.relay.stop();
    setup.relay.cleanup();
  });
  return setup;
}

/** Opens the console and signs an operator (the test operator unless told) in through the form. */
async function signIn(context, relay, who = OPERATOR) {
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

/** The console's switch, on; resolved once the relay has it. */
async function goOnline(console, api, who = OPERATOR) {
  await console.getByRole("switch", { name: "Available" }).check();
  const online = async () => (await api.call("GET", "/api/operators")).body.some((operator) => operator.email === who.email && operator.online);
  await eventually(online, `${who.name} online`);
}

/** A visitor on the demo shop (named when `name` is given) who has written `text`. */
async function visitorWrites(context, relay, text, name) {
  const shop = await openShop(context, `${relay.url}/demo/`);
  if (name) await shop.evaluate((name) => window.Beseda.setVisitor({ name }), name);
  await widget(shop).getByRole("button", { name: "Otevřít chat" }).click();
  const box = widget(shop).getByRole("textbox", { name: "Zpráva" });
  await box.fill(text);
  await box.press("Enter");
  await widget(shop).getByText("Doručeno").waitFor();
  return shop;
}

const row = (console, text) =>
  console.getByRole("list", { name: "Conversations" }).getByRole("listitem").filter({ hasText: text });

/** Opens the conversation whose row shows `text` and waits for its composer. */
async function openConversation(console, text) {
  await row(console, text).getByRole("button").click();
  await console.getByRole("textbox", { name: "Message" }).waitFor();
}

test("a visitor's messages appear in the console's list live, with the unread count", async (t) => {
  const { relay, api, operator, visitor } = await setUp(t);
  const console = await signIn(operator, relay);
  assert.equal(await console.getByRole("switch", { name: "Available" }).isChecked(), false);
  await goOnline(console, api);

  const shop = await visitorWrites(visitor, relay, "Máte bundu Alpina v XL?", "Petr");
  const conversation = row(console, "Máte bundu Alpina v XL?");
  await conversation.waitFor();
  await conversation.getByLabel("1 unread").waitFor();
  await shop.evaluate(() => window.Beseda.send("A v modré barvě?"));
  await row(console, "A v modré barvě?").getByLabel("2 unread").waitFor();
  await row(console, "A v modré barvě?").getByText("Petr").waitFor();

  // Opening it reads it: the count goes, and the relay remembers that it was read.
  await openConversation(console, "A v modré barvě?");
  await console.getByRole("log", { name: "Messages" }).getByText("A v modré barvě?").waitFor();
  assert.equal(await row(console, "A v modré barvě?").getByLabel(/unread/).count(), 0);
  await eventually(async () => (await api.conversations())[0].unread === 0, "the conversation read");
  assert.deepEqual(console.errors, []);
});

test("a reply from the composer reaches the widget; Shift+Enter makes a new line", async (t) => {
  const { relay, api, operator, visitor } = await setUp(t);
  const console = await signIn(operator, relay);
  await goOnline(console, api);
  const shop = await visitorWrites(visitor, relay, "Kdy dorazí moje objednávka?");
  await shop.evaluate(() => {
    window.seen = [];
    window.Beseda.on("message", (message) => window.seen.push(message));
  });
  await openConversation(console, "Kdy dorazí moje objednávka?");

  const composer = console.getByRole("textbox", { name: "Message" });
  await composer.pressSequentially("Dobrý den,");
  await composer.press("Shift+Enter");
  await composer.pressSequentially("zítra dopoledne.");
  await composer.press("Enter");
  await widget(shop).getByText("zítra dopoledne.", { exact: false }).waitFor();
  assert.equal(await composer.inputValue(), "");
  const replies = await shop.evaluate(() => window.seen.filter((message) => message.author === "operator"));
  assert.deepEqual(replies.map((message) => message.text), ["Dobrý den,\nzítra dopoledne."]);
  // The console shows its own reply once, as stored (not as pending).
  await console.getByRole("log", { name: "Messages" }).getByText("zítra dopoledne.", { exact: false }).waitFor();
  await eventually(async () => (await console.getByText("Sending…").count()) === 0, "the reply acknowledged");
  assert.equal(await console.getByRole("log", { name: "Messages" }).getByText("zítra dopoledne.", { exact: false }).count(), 1);

  // The Send button does the same.
  await composer.fill("Děkujeme za trpělivost.");
  await console.getByRole("button", { name: "Send" }).click();
  await widget(shop).getByText("Děkujeme za trpělivost.").waitFor();
  assert.deepEqual(console.errors, []);
});

test('the "/" picker inserts a shortcut rendered for the conversation: "Dobrý den, Petře!"', async (t) => {
  const { relay, api, operator, visitor } = await setUp(t);
  const created = await api.call("POST", "/api/shortcuts", { name: "pozdrav", text: "Dobrý den, {visitor.name|vocative}!", scope: "personal" });
  assert.equal(created.status, 201);
  await api.call("POST", "/api/shortcuts", { name: "poděkování", text: "Děkujeme za nákup v obchodě {shop.name}. {operator.name}", scope: "personal" });
  const console = await signIn(operator, relay);
  await goOnline(console, api);
  const shop = await visitorWrites(visitor, relay, "Dobrý den, mám dotaz.", "Petr");
  await openConversation(console, "Dobrý den, mám dotaz.");

  const composer = console.getByRole("textbox", { name: "Message" });
  const picker = console.getByRole("listbox", { name: "Shortcuts" });
  await composer.pressSequentially("/po");
  await picker.waitFor();
  assert.deepEqual(await picker.getByRole("option").allTextContents(), [
    "/poděkování Děkujeme za nákup v obchodě {shop.name}. {operator.name}",
    "/pozdrav Dobrý den, {visitor.name|vocative}!",
  ]);
  await composer.press("ArrowDown");
  await picker.getByRole("option", { name: /pozdrav/, selected: true }).waitFor();
  await composer.press("Enter");
  await picker.waitFor({ state: "detached" });
  assert.equal(await composer.inputValue(), "Dobrý den, Petře!");
  await composer.press("Enter");
  await widget(shop).getByText("Dobrý den, Petře!").waitFor();

  // After whitespace too, filtered by what follows the slash, and chosen by a click.
  await composer.pressSequentially("Hezký den. /děk");
  await picker.getByRole("option").first().click();
  assert.equal(await composer.inputValue(), "Hezký den. Děkujeme za nákup v obchodě Horská bunda. Jana");

  // Escape closes the picker and leaves the text as it was.
  await composer.fill("");
  await composer.pressSequentially("/poz");
  await picker.waitFor();
  await composer.press("Escape");
  await picker.waitFor({ state: "detached" });
  assert.equal(await composer.inputValue(), "/poz");
  // A slash inside a word is no shortcut.
  await composer.fill("");
  await composer.pressSequentially("and/po");
  assert.equal(await picker.count(), 0);
  assert.deepEqual(console.errors, []);
});

test("the Available switch turns the widget online and offline", async (t) => {
  const { relay, api, operator, visitor } = await setUp(t);
  const console = await signIn(operator, relay);
  const shop = await openShop(visitor, `${relay.url}/demo/`);
  await shop.evaluate(() => {
    window.availability = [];
    window.Beseda.on("availability", ({ online }) => window.availability.push(online));
  });
  await widget(shop).getByRole("button", { name: "Otevřít chat" }).click();
  await widget(shop).getByText("Právě nejsme k dispozici").waitFor();

  const available = console.getByRole("switch", { name: "Available" });
  await available.check();
  await widget(shop).getByText("Jsme tu pro vás").waitFor();
  await eventually(() => shop.evaluate(() => window.availability.at(-1) === true), "the widget told it is online");
  await available.uncheck();
  await widget(shop).getByText("Právě nejsme k dispozici").waitFor();
  await eventually(() => shop.evaluate(() => window.availability.at(-1) === false), "the widget told it is offline");
  assert.equal((await api.call("GET", "/api/operators")).body[0].online, false);

  // A reload shows the switch as the relay has it.
  await available.check();
  await widget(shop).getByText("Jsme tu pro vás").waitFor();
  await console.reload();
  await eventually(() => console.getByRole("switch", { name: "Available" }).isChecked(), "the switch on after a reload");
  assert.deepEqual(console.errors, []);
});

test("resolving from the console moves the conversation to Resolved, and it can be reopened", async (t) => {
  const { relay, api, operator, visitor } = await setUp(t);
  const console = await signIn(operator, relay);
  await goOnline(console, api);
  await visitorWrites(visitor, relay, "Děkuji, to je vše.", "Karel");
  await openConversation(console, "Děkuji, to je vše.");

  await console.getByRole("button", { name: "Resolve" }).click();
  await console.getByRole("button", { name: "Reopen" }).waitFor();
  await eventually(async () => (await api.conversations())[0].status === "resolved", "the conversation resolved");
  await row(console, "Karel").waitFor({ state: "detached" });
  await console.getByRole("tab", { name: "Resolved" }).click();
  await row(console, "Karel").waitFor();

  await console.getByRole("button", { name: "Reopen" }).click();
  await console.getByRole("button", { name: "Resolve" }).waitFor();
  await eventually(async () => (await api.conversations())[0].status === "open", "the conversation open again");
  await row(console, "Karel").waitFor({ state: "detached" });
  await console.getByRole("tab", { name: "Open" }).click();
  await row(console, "Karel").waitFor();
  assert.deepEqual(console.errors, []);
});

test("typing shows both ways", async (t) => {
  const { relay, api, operator, visitor } = await setUp(t);
  const console = await signIn(operator, relay);
  await goOnline(console, api);
  const shop = await visitorWrites(visitor, relay, "Dobrý den", "Petr");
  await openConversation(console, "Dobrý den");

  await widget(shop).getByRole("textbox", { name: "Zpráva" }).pressSequentially("Ještě jedna");
  await console.getByText("Petr is typing…").waitFor();
  await widget(shop).getByRole("textbox", { name: "Zpráva" }).press("Enter");
  await console.getByText("Petr is typing…").waitFor({ state: "detached" });

  await console.getByRole("textbox", { name: "Message" }).pressSequentially("Moment");
  await widget(shop).getByText("píše…", { exact: false }).waitFor();
  await console.getByRole("textbox", { name: "Message" }).press("Enter");
  await widget(shop).getByText("píše…", { exact: false }).waitFor({ state: "detached" });
});

test("the console shows the visitor's cart and page, and messages as text only", async (t) => {
  const { relay, api, operator, visitor } = await setUp(t);
  const console = await signIn(operator, relay);
  await goOnline(console, api);
  const markup = `<img src=x onerror="window.pwned=1"><b>tučně</b>`;
  const shop = await visitorWrites(visitor, relay, markup, "Petr");
  await shop.evaluate(() => window.Beseda.setCart({ items: [{ name: "Bunda Alpina", qty: 1, price: 2490 }], total: 2490, currency: "CZK" }));
  await openConversation(console, "tučně");

  const context = console.getByRole("complementary", { name: "Visitor" });
  await context.getByText("Bunda Alpina").waitFor();
  await context.getByText("2490 CZK").first().waitFor();
  await context.getByText("Current page").waitFor();
  const log = console.getByRole("log", { name: "Messages" });
  await log.getByText(markup).waitFor();
  assert.equal(await log.locator("img, b").count(), 0);
  assert.equal(await console.evaluate(() => window.pwned), undefined);
});

test("the session survives a reload, and signing out ends it", async (t) => {
  const { relay, operator } = await setUp(t);
  const console = await signIn(operator, relay);
  await console.reload();
  await console.getByRole("switch", { name: "Available" }).waitFor();
  await console.getByRole("button", { name: "Sign out" }).click();
  await console.getByRole("button", { name: "Sign in" }).waitFor();
  await console.reload();
  await console.getByRole("button", { name: "Sign in" }).waitFor();

  await console.getByLabel("Email").fill(OPERATOR.email);
  await console.getByLabel("Password").fill("wrong password");
  await console.getByRole("button", { name: "Sign in" }).click();
  await console.getByRole("alert").filter({ hasText: /\S/ }).waitFor();
  assert.equal(await console.getByRole("switch", { name: "Available" }).count(), 0);
});

test("settings: a shortcut with an invalid template shows why; a valid one is listed", async (t) => {
  const { relay, operator } = await setUp(t);
  const console = await signIn(operator, relay);
  await console.getByRole("button", { name: "Settings" }).click();
  const form = console.getByRole("form", { name: "Shortcut" });
  await form.getByLabel("Shortcut name").fill("typo");
  await form.getByLabel("Shortcut text").fill("Dobrý den, {visitor.nmae}!");
  await form.getByRole("button", { name: "Add shortcut" }).click();
  await form.getByRole("alert").getByText("{visitor.nmae}", { exact: false }).waitFor();

  await form.getByLabel("Shortcut text").fill("Dobrý den, {visitor.name|vocative}!");
  await form.getByRole("button", { name: "Add shortcut" }).click();
  await console.getByRole("cell", { name: "/typo", exact: true }).waitFor();
  // Only admins may make team shortcuts: this operator is offered personal ones only.
  assert.deepEqual(await form.getByLabel("Scope").locator("option").allTextContents(), ["Personal"]);
});

test("an admin adds an operator and a priority rule, tags, transfers and takes over; both consoles follow", async (t) => {
  const { relay, api, operator, visitor } = await setUp(t);
  addAdmin(relay, EVA);
  const console = await signIn(operator, relay, EVA);
  await goOnline(console, api, EVA);

  await console.getByRole("button", { name: "Settings" }).click();
  await console.getByLabel("New operator's email").fill(PETRA.email);
  await console.getByLabel("New operator's name").fill(PETRA.name);
  await console.getByLabel("New operator's password").fill(PETRA.password);
  await console.getByRole("button", { name: "Add operator" }).click();
  await console.getByRole("cell", { name: PETRA.email, exact: true }).waitFor();
  const rule = console.getByRole("form", { name: "Priority rule" });
  await rule.getByLabel("Keyword").fill("chybí");
  await rule.getByLabel("Tag").fill("missing");
  await rule.getByLabel("Priority", { exact: true }).fill("5");
  await rule.getByRole("button", { name: "Add rule" }).click();
  await console.getByRole("cell", { name: "chybí", exact: true }).waitFor();

  // A later conversation with the keyword comes first, tagged and with its priority.
  await console.getByRole("button", { name: "Conversations" }).click();
  await visitorWrites(visitor, relay, "Máte to skladem?", "Karel");
  await row(console, "Máte to skladem?").waitFor();
  const urgentVisitor = await browser.newContext();
  t.after(() => urgentVisitor.close());
  await visitorWrites(urgentVisitor, relay, "Chybí mi zásilka!", "Jan");
  await row(console, "Chybí mi zásilka!").getByText("Priority 5").waitFor();
  await row(console, "Chybí mi zásilka!").getByText("missing").waitFor();
  const order = await console.getByRole("list", { name: "Conversations" }).getByRole("listitem").allTextContents();
  assert.match(order[0], /Chybí mi zásilka!/);

  // Tags from the conversation's header.
  await openConversation(console, "Máte to skladem?");
  await console.getByLabel("Add tag").fill("velikost");
  await console.getByRole("button", { name: "Add", exact: true }).click();
  await console.getByRole("list", { name: "Tags" }).getByText("velikost").waitFor();
  await row(console, "Karel").getByText("velikost").waitFor();

  // Petra, online in her own console, gets Karel by a transfer; Eva then takes him back.
  const petraContext = await browser.newContext({ viewport: { width: 1366, height: 800 } });
  t.after(() => petraContext.close());
  const petra = await signIn(petraContext, relay, PETRA);
  await goOnline(petra, api, PETRA);
  const transfer = console.getByLabel("Transfer to");
  const toPetra = await transfer.locator("option", { hasText: "Petra" }).textContent();
  await transfer.selectOption({ label: toPetra });
  await console.getByText("Assigned to Petra").waitFor();
  await row(petra, "Karel").getByText("Petra", { exact: true }).waitFor();
  const karel = (await api.conversations()).find((conversation) => conversation.visitor.name === "Karel");
  const petraId = (await api.call("GET", "/api/operators")).body.find((operator) => operator.email === PETRA.email).id;
  assert.equal(karel.assignedTo, petraId);
  assert.deepEqual(karel.tags, ["velikost"]);

  await console.getByRole("button", { name: "Take over" }).click();
  await console.getByText("Assigned to you").waitFor();
  await row(petra, "Karel").getByText("Eva", { exact: true }).waitFor();
  assert.deepEqual(console.errors, []);
  assert.deepEqual(petra.errors, []);
});

test("the console reconnects after a relay crash and shows what it missed, once", async (t) => {
  const setup = await setUp(t);
  const { relay, api, operator, visitor } = setup;
  const console = await signIn(operator, relay);
  await goOnline(console, api);
  const shop = await visitorWrites(visitor, relay, "Jedna", "Petr");
  await openConversation(console, "Jedna");
  const log = console.getByRole("log", { name: "Messages" });
  await log.getByText("Jedna", { exact: true }).waitFor();

  await relay.kill();
  await console.getByText("Reconnecting…").waitFor();
  setup.relay = await relay.restart();
  await shop.evaluate(() => window.Beseda.send("Dvě"));
  await log.getByText("Dvě", { exact: true }).waitFor();
  await console.getByText("Reconnecting…").waitFor({ state: "detached" });
  await console.getByRole("textbox", { name: "Message" }).fill("Tři");
  await console.getByRole("textbox", { name: "Message" }).press("Enter");
  await widget(shop).getByText("Tři", { exact: true }).waitFor();
  for (const text of ["Jedna", "Dvě", "Tři"]) {
    assert.equal(await log.getByText(text, { exact: true }).count(), 1, text);
  }
});

test("desktop notifications announce a new chat only while the console is hidden", async (t) => {
  const { relay, api, operator, visitor } = await setUp(t);
  // The browser's notifications and tab visibility, observed: headless Chromium shows neither.
  await operator.addInitScript(() => {
    window.notified = [];
    window.hidden = false;
    window.Notification = class {
      constructor(title, options) {
        window.notified.push({ title, body: options?.body });
      }
      static permission = "default";
      static requestPermission() {
        window.Notification.permission = "granted";
        return Promise.resolve("granted");
      }
    };
    Object.defineProperty(document, "visibilityState", { get: () => (window.hidden ? "hidden" : "visible") });
  });
  const console = await signIn(operator, relay);
  await goOnline(console, api);
  await console.getByRole("checkbox", { name: "Desktop notifications" }).check();
  await eventually(() => console.getByRole("checkbox", { name: "Desktop notifications" }).isChecked(), "notifications on");

  await visitorWrites(visitor, relay, "Viditelná konzole");
  await row(console, "Viditelná konzole").waitFor();
  await console.evaluate(() => (window.hidden = true));
  const second = await browser.newContext();
  t.after(() => second.close());
  await visitorWrites(second, relay, "Skrytá konzole");
  await row(console, "Skrytá konzole").waitFor();
  const notified = await eventually(async () => {
    const notified = await console.evaluate(() => window.notified);
    return notified.length > 0 && notified;
  }, "a notification");
  assert.equal(notified.length, 1);
  assert.equal(notified[0].title, "New chat");
});
