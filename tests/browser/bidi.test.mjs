// Names and texts in any direction, in Chromium against the real relay: a right-to-left
// operator name and a text starting with a right-to-left override are each isolated in the
// widget and in the console, so that the time beside them stays where it belongs (after the
// name, on its right); a name with a right-to-left override is refused outright.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { eventually, launch, openShop, operatorApi, startRelay, widget } from "./support.mjs";

/** A Hebrew name: in a left-to-right line, an unisolated one pulls the time after it to its left. */
const HEBREW_NAME = "שרה כהן";
const ARABIC_NAME = "محمد علي";
/** A message whose text starts with a right-to-left override. */
const OVERRIDDEN = "\u202Eabc 12:00";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser.close();
});

/** Where `name` and the time beside it are drawn, and the direction attributes that hold them. */
function layout(nameElement, timeElement) {
  const name = nameElement.getBoundingClientRect();
  const time = timeElement.getBoundingClientRect();
  return { nameRight: name.right, timeLeft: time.left, nameDir: nameElement.getAttribute("dir") };
}

test("right-to-left names and texts do not reorder the times beside them", async (t) => {
  const relay = await startRelay();
  const operatorContext = await browser.newContext({ viewport: { width: 1366, height: 800 } });
  const visitorContext = await browser.newContext();
  t.after(async () => {
    await operatorContext.close();
    await visitorContext.close();
    await relay.stop();
    relay.cleanup();
  });
  const api = await operatorApi(relay);
  const refused = await api.call("PUT", "/api/me", { name: "Jana\u202EnimdA" });
  assert.equal(refused.status, 400, JSON.stringify(refused.body));
  assert.equal((await api.call("PUT", "/api/me", { name: HEBREW_NAME })).status, 200);
  await api.setOnline(true);

  // The visitor, named in Arabic, writes; the operator answers with an overridden text.
  const shop = await openShop(visitorContext, `${relay.url}/demo/`);
  await shop.evaluate((name) => window.Beseda.setVisitor({ name }), ARABIC_NAME);
  await widget(shop).getByRole("button", { name: "Otevřít chat" }).click();
  const box = widget(shop).getByRole("textbox", { name: "Zpráva" });
  await box.fill("שלום");
  await box.press("Enter");
  await widget(shop).getByText("Doručeno").waitFor();
  const [conversation] = await eventually(api.conversations, "the conversation");
  assert.equal((await api.reply(conversation.id, OVERRIDDEN)).status, 201);
  await widget(shop).getByText(OVERRIDDEN).waitFor();

  const inWidget = await shop.evaluate(() => {
    const root = document.querySelector("beseda-chat").shadowRoot;
    const line = [...root.querySelectorAll(".message.theirs")].at(-1);
    const name = line.querySelector(".author");
    const time = line.querySelector("time");
    const bounds = (element) => element.getBoundingClientRect();
    return {
      name: name.textContent,
      nameDir: name.getAttribute("dir"),
      textDir: line.querySelector(".text").getAttribute("dir"),
      nameRight: bounds(name).right,
      timeLeft: bounds(time).left,
      paragraph: getComputedStyle(line.querySelector(".meta")).direction,
    };
  });
  assert.equal(inWidget.name, HEBREW_NAME);
  assert.equal(inWidget.paragraph, "ltr");
  assert.equal(inWidget.nameDir, "auto", "the operator's name is isolated");
  assert.equal(inWidget.textDir, "auto", "the message text is isolated");
  assert.ok(inWidget.timeLeft >= inWidget.nameRight - 1, `the time stays right of the name: ${JSON.stringify(inWidget)}`);

  // The console: the visitor's name in the list and the conversation, the operator's name and
  // the texts beside their times.
  const console = await operatorContext.newPage();
  await console.goto(`${relay.url}/console/`);
  await console.getByLabel("Email").fill("jana@shop.example");
  await console.getByLabel("Password").fill("correct horse battery");
  await console.getByRole("button", { name: "Sign in" }).click();
  const row = console.getByRole("list", { name: "Conversations" }).getByRole("listitem").filter({ hasText: ARABIC_NAME });
  await row.getByRole("button").click();
  await console.getByRole("textbox", { name: "Message" }).waitFor();
  await console.locator(".messages .message.operator .text", { hasText: OVERRIDDEN }).waitFor();
  const inConsole = await console.evaluate((layoutSource) => {
    const layout = eval(`(${layoutSource})`);
    const items = [...document.querySelectorAll(".messages .message")];
    const lines = items.map((item) => ({
      who: item.querySelector(".who").textContent,
      textDir: item.querySelector(".text").getAttribute("dir"),
      ...layout(item.querySelector(".who"), item.querySelector("time")),
    }));
    return {
      lines,
      rowName: document.querySelector(".row .visitor").getAttribute("dir"),
      title: document.querySelector("#conversation-title").getAttribute("dir"),
      paragraph: getComputedStyle(items[0]).direction,
    };
  }, layout.toString());
  assert.equal(inConsole.paragraph, "ltr");
  assert.equal(inConsole.rowName, "auto", "the visitor's name in the list is isolated");
  assert.equal(inConsole.title, "auto", "the conversation's title is isolated");
  const names = inConsole.lines.map((line) => line.who);
  assert.ok(names.includes(ARABIC_NAME) && names.includes(HEBREW_NAME), JSON.stringify(names));
  for (const line of inConsole.lines) {
    assert.equal(line.nameDir, "auto", `${line.who} is isolated`);
    assert.equal(line.textDir, "auto", "texts are isolated");
    assert.ok(line.timeLeft >= line.nameRight - 1, `the time stays right of ${line.who}: ${JSON.stringify(line)}`);
  }
});
