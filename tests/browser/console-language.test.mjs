// The console in the operator's language: the browser's first language the console speaks by
// default, the operator's choice in the profile at once, kept on the relay so that it follows
// them through a reload and to another browser; English keeps the public contract's names to
// the letter; dates and numbers written the language's way.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { OPERATOR, eventually, launch, openShop, operatorApi, startRelay, widget } from "./support.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser.close();
});

/** A relay with the test operator; a browser profile per `locale` asked for; all go at the end. */
async function setUp(t) {
  const relay = await startRelay();
  const api = await operatorApi(relay);
  // Someone is there, so that the visitors' messages are delivered as chat.
  await api.setOnline(true);
  const contexts = [];
  const context = async (locale) => {
    const opened = await browser.newContext({ locale, viewport: { width: 1366, height: 800 } });
    contexts.push(opened);
    return opened;
  };
  t.after(async () => {
    for (const opened of contexts) await opened.close();
    await relay.stop();
    relay.cleanup();
  });
  return { relay, api, context };
}

/** Opens the console and signs the test operator in with the form's names in `names`. */
async function signIn(context, relay, names) {
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (error) => page.errors.push(error.message));
  await page.goto(`${relay.url}/console/`);
  await page.getByLabel(names.email, { exact: true }).fill(OPERATOR.email);
  await page.getByLabel(names.password, { exact: true }).fill(OPERATOR.password);
  await page.getByRole("button", { name: names.signIn, exact: true }).click();
  return page;
}

const ENGLISH_FORM = { email: "Email", password: "Password", signIn: "Sign in" };
const CZECH_FORM = { email: "E-mail", password: "Heslo", signIn: "Přihlásit se" };

/** A visitor on the demo shop who has written `text`. */
async function visitorWrites(context, relay, text) {
  const shop = await openShop(context, `${relay.url}/demo/`);
  await widget(shop).getByRole("button", { name: "Otevřít chat" }).click();
  const box = widget(shop).getByRole("textbox", { name: "Zpráva" });
  await box.fill(text);
  await box.press("Enter");
  await widget(shop).getByText("Doručeno").waitFor();
  return shop;
}

const lang = (page) => page.evaluate(() => document.documentElement.lang);
/** Text with the spaces `Intl` writes (no-break, narrow no-break) as plain ones. */
const plain = (text) => text.replace(/[\u00a0\u202f]/g, " ").trim();

test("a Czech browser gets the Czech console; German chosen in the profile shows at once, survives a reload and follows the operator to a fresh browser", async (t) => {
  const { relay, api, context } = await setUp(t);
  await visitorWrites(await context("cs-CZ"), relay, "Dobrý den, máte bundu v L?");

  const czech = await context("cs-CZ");
  const console = await signIn(czech, relay, CZECH_FORM);
  await console.getByRole("switch", { name: "K dispozici", exact: true }).waitFor();
  assert.equal(await lang(console), "cs");
  const list = console.getByRole("list", { name: "Konverzace", exact: true });
  const row = list.getByRole("listitem").filter({ hasText: "máte bundu" });
  // A counted text in its Czech form, and the waiting time in Czech words.
  await row.getByLabel("1 nepřečtená", { exact: true }).waitFor();
  await row.getByText(/^Čeká\s\d+\ss$/).waitFor();
  await console.getByRole("tab", { name: /^Otevřené/ }).waitFor();

  await console.getByRole("button", { name: "Nastavení", exact: true }).click();
  await console.getByRole("heading", { name: "Nastavení", exact: true }).waitFor();
  await console.getByLabel("Jazyk konzole", { exact: true }).selectOption("de");
  // At once, without a reload: the page's language, the headings, the switch, the navigation.
  await console.getByRole("heading", { name: "Einstellungen", exact: true }).waitFor();
  await console.getByRole("switch", { name: "Verfügbar", exact: true }).waitFor();
  await console.getByRole("button", { name: "Unterhaltungen", exact: true }).waitFor();
  await console.getByText("Sprache gespeichert.", { exact: true }).waitFor();
  assert.equal(await lang(console), "de");
  assert.equal((await api.call("GET", "/api/me")).body.language, "de");
  await console.getByRole("button", { name: "Unterhaltungen", exact: true }).click();
  await console
    .getByRole("list", { name: "Unterhaltungen", exact: true })
    .getByRole("listitem")
    .filter({ hasText: "máte bundu" })
    .getByLabel("1 ungelesen", { exact: true })
    .waitFor();

  // The browser still prefers Czech; the operator's choice wins.
  await console.reload();
  await console.getByRole("switch", { name: "Verfügbar", exact: true }).waitFor();
  assert.equal(await lang(console), "de");
  await console.getByRole("list", { name: "Unterhaltungen", exact: true }).waitFor();

  // Another computer, whose browser prefers English: the form is English until the relay says
  // who signed in, then the console is German.
  const elsewhere = await signIn(await context("en-US"), relay, ENGLISH_FORM);
  await elsewhere.getByRole("switch", { name: "Verfügbar", exact: true }).waitFor();
  await elsewhere.getByRole("button", { name: "Abmelden", exact: true }).waitFor();
  assert.equal(await lang(elsewhere), "de");
  assert.deepEqual([...console.errors, ...elsewhere.errors], []);
});

test("English keeps the contract's accessible names; dates and numbers follow the language", async (t) => {
  const { relay, api, context } = await setUp(t);
  const shop = await visitorWrites(await context("cs-CZ"), relay, "Kolik stojí bunda?");
  await eventually(async () => (await api.conversations())[0]?.id, "the conversation");

  const console = await signIn(await context("en-US"), relay, ENGLISH_FORM);
  await console.getByRole("switch", { name: "Available", exact: true }).waitFor();
  assert.equal(await lang(console), "en");
  await console.getByRole("button", { name: "Conversations", exact: true }).waitFor();
  await console.getByRole("button", { name: "Settings", exact: true }).waitFor();
  const list = console.getByRole("list", { name: "Conversations", exact: true });
  await list.getByRole("listitem").filter({ hasText: "Kolik stojí" }).getByRole("button").click();
  await console.getByRole("textbox", { name: "Message", exact: true }).waitFor();
  await console.getByRole("button", { name: "Send", exact: true }).waitFor();
  await console.getByRole("button", { name: "Resolve", exact: true }).waitFor();
  await shop.evaluate(() =>
    window.Beseda.setCart({ items: [{ name: "Bunda Alpina", qty: 1, price: 12490.5 }], total: 12490.5, currency: "CZK" }),
  );

  const visitor = console.getByRole("complementary", { name: "Visitor", exact: true });
  const shows = async (text, where = visitor) => plain(await where.innerText()).includes(text);
  await eventually(() => shows("12,490.50 CZK"), "the English total");
  const time = console.getByRole("log", { name: "Messages", exact: true }).locator("time").first();
  // "Dec 6, 2026, 8:05 PM" and "8:05 PM" in English.
  assert.match(plain(await time.getAttribute("title")), /^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2} [AP]M$/);
  assert.match(plain(await time.textContent()), /^\d{1,2}:\d{2} [AP]M$/);

  await console.getByRole("button", { name: "Settings", exact: true }).click();
  await console.getByLabel("Console language", { exact: true }).selectOption("cs");
  await console.getByRole("button", { name: "Konverzace", exact: true }).click();
  await console.getByRole("button", { name: "Vyřešit", exact: true }).waitFor();
  await console.getByRole("textbox", { name: "Zpráva", exact: true }).waitFor();
  // "12 490,50 CZK", "6. 12. 2026 20:05" and "20:05" in Czech.
  const navstevnik = console.getByRole("complementary", { name: "Návštěvník", exact: true });
  await eventually(() => shows("12 490,50 CZK", navstevnik), "the Czech total");
  const cas = console.getByRole("log", { name: "Zprávy", exact: true }).locator("time").first();
  assert.match(plain(await cas.getAttribute("title")), /^\d{1,2}\. \d{1,2}\. \d{4} \d{1,2}:\d{2}$/);
  assert.match(plain(await cas.textContent()), /^\d{1,2}:\d{2}$/);
  assert.deepEqual(console.errors, []);
});
