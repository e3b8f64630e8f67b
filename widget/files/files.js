// The visitor's files in the Beseda widget: the tray of files waiting to be sent (previews, each
// removable), the upload with its progress and a cancel button, the relay's refusals in the
// visitor's language, and the larger view of an image in the widget.
//
// Not part of what every visitor downloads: the loader imports this module the first time a file
// is picked, dropped or pasted, or an image's thumbnail is clicked, and calls `take`. The widget
// itself shows only the "Attach file" button and the messages' files. A sent message comes back
// like any other, through the chat's socket, and the widget shows it once.

import { TEXTS } from "./texts.js";
import { CSS } from "./style.js";

/** The most files one message may carry (the relay's limit too). */
const MAX_FILES = 10;
/** How often an upload lost on the network is tried again, and the first wait, in ms. */
const RETRIES = 3;
const RETRY_MS = 500;

/** The page's one tray, made on the first file. */
let tray = null;

/**
 * Takes files the visitor picked, dropped or pasted (`files`), or a click on an image's
 * thumbnail (`thumb`). `context`: `{ root, widget, relay, site }` — the widget's shadow root, its
 * handle (which knows the visitor's token), the relay's address and the site.
 */
export function take(context, files, thumb) {
  styled(context.root);
  const texts = TEXTS[context.root.querySelector("[lang]")?.lang] ?? TEXTS.en;
  if (thumb) viewer(context.root, texts, thumb);
  else (tray ??= new Tray(context, texts)).add(files);
}

/** The module's styles, adopted by the shadow root as the widget's are (no inline style, which
 * a strict Content Security Policy refuses). */
function styled(root) {
  if (root.besedaFiles) return;
  root.besedaFiles = true;
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  } catch {
    element(root, "style", {}, CSS);
  }
}

/** A new `<tag>` with attributes and an optional text, appended to `parent`. Text goes in as
 * text, never as HTML. */
function element(parent, tag, attributes = {}, text) {
  const made = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) made.setAttribute(name, value);
  if (text !== undefined) made.textContent = text;
  parent.append(made);
  return made;
}

/** A catalog sentence with `value` put in for its `#`. */
const fill = (template, value) => template.replace("#", value);

/** Bytes for people, in the visitor's language: "24 B", "937,5 kB", "1,2 MB". */
function readableSize(bytes, lang) {
  if (bytes < 1000) return `${bytes} B`;
  const [value, unit] = bytes < 1e6 ? [bytes / 1e3, "kB"] : [bytes / 1e6, "MB"];
  return `${value.toLocaleString(lang, { maximumFractionDigits: 1 })} ${unit}`;
}

/** A fresh client message id, as the widget makes them: the relay stores each one once. */
const clientId = () => `w${Date.now().toString(16)}-${Math.floor(Math.random() * 1e15).toString(16)}`;

/** What a refusal says to the visitor, from the relay's error code. */
function refusal(texts, status, error) {
  switch (error?.code) {
    case "file_too_large": {
      // The relay names its limit in bytes ("… at most 10485760 bytes"); said only when it does.
      const limit = /(\d+) bytes/.exec(error.message ?? "");
      return limit ? `${texts.tooLarge} ${fill(texts.limit, readableSize(Number(limit[1]), texts.lang))}` : texts.tooLarge;
    }
    case "unsupported_type":
      return texts.unsupported;
    case "damaged_file":
      return texts.damaged;
    case "too_many_files":
    case "rate_limited":
      return texts.later;
  }
  return status === 413 ? texts.tooLarge : texts.failed;
}

/** The files waiting to be sent, above the composer: a preview of each, then sending them. */
class Tray {
  constructor(context, texts) {
    this.context = context;
    this.texts = texts;
    /** `{ file, item, url }` for each file in the tray. */
    this.entries = [];
    /** The upload on its way, and the timer of its next try. */
    this.request = null;
    this.retry = 0;
    const { root } = context;
    this.composer = root.querySelector(".composer");
    this.box = element(this.composer.parentNode, "div", { class: "tray", role: "group", "aria-label": texts.tray, hidden: "" });
    this.composer.before(this.box);
    this.list = element(this.box, "ul");
    this.alert = element(this.box, "p", { class: "refusal", role: "alert" });
    const bar = element(this.box, "div", { class: "bar" });
    this.progress = element(bar, "progress", { max: "1", value: "0", hidden: "" });
    this.state = element(bar, "span", { class: "state", role: "status" });
    this.cancelButton = element(bar, "button", { type: "button", class: "cancel" }, texts.cancel);
    this.sendButton = element(bar, "button", { type: "button", class: "send" }, texts.sendFiles);
    this.cancelButton.addEventListener("click", () => this.cancel());
    this.sendButton.addEventListener("click", () => this.send());
    // With files in the tray, the composer's Enter and its send button send the files, with the
    // typed text as the message's text. (Capturing on the form comes before the widget's own
    // handlers on the text area.)
    const textarea = this.composer.querySelector("textarea");
    this.textarea = textarea;
    this.composer.addEventListener("keydown", (event) => {
      if (event.target === textarea && event.key === "Enter" && !event.shiftKey && !event.isComposing && this.entries.length) {
        event.preventDefault();
        event.stopPropagation();
        this.send();
      }
    }, true);
    this.composer.addEventListener("submit", (event) => {
      if (!this.entries.length) return;
      event.preventDefault();
      event.stopPropagation();
      this.send();
    }, true);
  }

  add(files) {
    if (this.request) return;
    this.say("");
    for (const file of files) {
      if (this.entries.length >= MAX_FILES) {
        this.say(fill(this.texts.tooMany, MAX_FILES));
        break;
      }
      const item = element(this.list, "li");
      const url = file.type.startsWith("image/") ? URL.createObjectURL(file) : null;
      // An image previews as itself; any other file as its kind ("PDF", "TXT").
      if (url) element(item, "img", { src: url, alt: "" });
      else element(item, "span", { class: "kind", "aria-hidden": "true" }, (/\.(\w{1,4})$/.exec(file.name)?.[1] ?? "").toUpperCase());
      const label = element(item, "span", { class: "name", dir: "auto" }, file.name);
      label.title = file.name;
      element(item, "span", { class: "size" }, readableSize(file.size, this.texts.lang));
      const remove = element(item, "button", { type: "button", class: "remove", "aria-label": `${this.texts.remove}${file.name}` }, "×");
      const entry = { file, item, url };
      remove.addEventListener("click", () => this.remove(entry));
      this.entries.push(entry);
    }
    this.update();
    this.sendButton.focus();
  }

  remove(entry) {
    if (this.request) return;
    this.entries = this.entries.filter((other) => other !== entry);
    if (entry.url) URL.revokeObjectURL(entry.url);
    entry.item.remove();
    this.say("");
    this.update();
    if (!this.entries.length) this.textarea.focus();
  }

  /** Empties the tray and hides it. */
  clear() {
    for (const entry of this.entries) {
      if (entry.url) URL.revokeObjectURL(entry.url);
      entry.item.remove();
    }
    this.entries = [];
    this.say("");
    this.update();
  }

  say(text) {
    this.alert.textContent = text;
    this.alert.hidden = !text;
  }

  /** Shows what the tray holds and whether an upload is on its way. */
  update() {
    const sending = Boolean(this.request || this.retry);
    this.box.hidden = !this.entries.length;
    this.progress.hidden = !sending;
    if (!sending) this.progress.value = 0;
    this.state.textContent = sending ? this.texts.sending : "";
    this.sendButton.disabled = sending;
    for (const button of this.list.querySelectorAll("button")) button.disabled = sending;
  }

  /** Sends the files and the composer's text as one message. */
  send() {
    if (this.request || this.retry || !this.entries.length) return;
    const token = this.context.widget.token();
    if (!token) {
      this.say(this.texts.failed);
      return;
    }
    const form = new FormData();
    for (const { file } of this.entries) form.append("file", file, file.name);
    const text = this.textarea.value;
    form.append("clientId", clientId());
    if (text.trim()) form.append("text", text);
    form.append("site", this.context.site);
    this.say("");
    this.upload(form, token, text, 0);
  }

  /** One try of the upload; one lost on the network goes again, under the same client id, so
   * that the relay stores it once whichever try reached it. */
  upload(form, token, text, attempt) {
    this.retry = 0;
    const request = new XMLHttpRequest();
    this.request = request;
    request.open("POST", `${this.context.relay}/visitor/files`);
    request.setRequestHeader("authorization", `Bearer ${token}`);
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable && event.total) this.progress.value = event.loaded / event.total;
    });
    request.addEventListener("load", () => {
      this.request = null;
      if (request.status === 200 || request.status === 201) {
        // Sent: the message comes back through the socket. The text went with it.
        if (text && this.textarea.value === text) {
          this.textarea.value = "";
          this.textarea.dispatchEvent(new Event("input", { bubbles: true }));
        }
        this.clear();
        this.textarea.focus();
        return;
      }
      let error = null;
      try {
        error = JSON.parse(request.responseText).error;
      } catch {
        // Not the relay's JSON (a proxy's page, say): a generic failure.
      }
      this.say(refusal(this.texts, request.status, error));
      this.update();
    });
    request.addEventListener("error", () => {
      this.request = null;
      if (attempt < RETRIES) {
        this.retry = setTimeout(() => this.upload(form, token, text, attempt + 1), RETRY_MS * 2 ** attempt);
      } else {
        this.say(this.texts.failed);
      }
      this.update();
    });
    request.send(form);
    this.update();
  }

  /** Stops an upload on its way and empties the tray: nothing is sent. */
  cancel() {
    clearTimeout(this.retry);
    this.retry = 0;
    const request = this.request;
    this.request = null;
    request?.abort();
    this.clear();
    this.textarea.focus();
  }
}

/** An image larger, over the chat window: closed by Escape, by its close button or by a click
 * beside the image; the focus stays in it while it is open and goes back to the thumbnail. */
function viewer(root, texts, thumb) {
  const window = root.querySelector(".window");
  root.querySelector(".viewer")?.remove();
  const name = thumb.querySelector("img")?.alt ?? "";
  const view = element(window, "div", { class: "viewer", role: "dialog", "aria-modal": "true", "aria-label": name });
  element(view, "img", { src: thumb.href, alt: name });
  const close = element(view, "button", { type: "button", class: "viewer-close", "aria-label": texts.close }, "×");
  const done = () => {
    view.remove();
    thumb.focus();
  };
  close.addEventListener("click", done);
  view.addEventListener("click", (event) => {
    if (event.target === view) done();
  });
  view.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      // The chat window closes on Escape too: this one closes only the view.
      event.stopPropagation();
      done();
    } else if (event.key === "Tab") {
      event.preventDefault();
      close.focus();
    }
  });
  close.focus();
}
