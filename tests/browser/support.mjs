// What the browser tests share: the real relay as a child process, its REST API, Chromium,
// and a second origin serving shop pages that embed the widget cross-origin.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { after, before } from "node:test";
import { chromium } from "playwright-core";

/** Every relay child process, killed when the test process exits however it exits. */
const children = new Set();
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

/** The bearer token the test relays serve `/metrics` with. */
export const METRICS_TOKEN = "metrics-token-for-browser-tests";

export const RELAY_BINARY = resolve(process.env.BESEDA_RELAY ?? "../../target/release/beseda-relay");
export const OPERATOR = { email: "jana@shop.example", password: "correct horse battery", name: "Jana" };

function cli(db, args, input = "") {
  const result = spawnSync(RELAY_BINARY, [...args, "--db", db], { input, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`beseda-relay ${args.join(" ")}: ${result.stderr}`);
}

/** Puts the demo site and the test operator into the database `db` (a file or a URL). */
export function prepareDatabase(db) {
  cli(db, ["site", "add", "demo", "--title", "Horská bunda"]);
  cli(db, ["operator", "add", "--email", OPERATOR.email, "--name", OPERATOR.name], OPERATOR.password + "\n");
}

/** A relay on 127.0.0.1 with a fresh database holding the demo site and one operator; `args`
 * are more `serve` flags. With `db` (a `postgres://` URL, say) it serves that database as it is:
 * several relays share one, prepared once with `prepareDatabase`. */
export async function startRelay({ port = 0, directory, db, args = [] } = {}) {
  directory ??= mkdtempSync(join(tmpdir(), "beseda-browser-"));
  if (db === undefined) {
    db = join(directory, "beseda.db");
    if (!existsSync(db)) prepareDatabase(db);
  }
  const child = spawn(RELAY_BINARY, ["serve", "--listen", `127.0.0.1:${port}`, "--db", db, "--bootstrap-admin", "false", "--metrics-token", METRICS_TOKEN, ...args], {
    env: { ...process.env, BESEDA_LOG: "warn" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = await new Promise((resolveLine, reject) => {
    createInterface({ input: child.stdout }).once("line", resolveLine);
    child.once("exit", (code) => reject(new Error(`the relay exited with ${code}`)));
  });
  // Nothing more is read from the relay, and it must not keep this process alive.
  child.stdout.resume();
  child.stdout.unref();
  child.unref();
  children.add(child);
  child.once("exit", () => children.delete(child));
  const url = line.trim().split(" ").pop();
  const relay = {
    url,
    port: Number(new URL(url).port),
    directory,
    /** SIGKILL: nothing gets to shut down. */
    async kill() {
      const exited = new Promise((done) => child.once("exit", done));
      child.kill("SIGKILL");
      await exited;
    },
    /** The same database and port again, as after a crash and restart. */
    restart() {
      return startRelay({ port: relay.port, directory, db, args });
    },
    async stop() {
      const exited = new Promise((done) => child.once("exit", done));
      child.kill("SIGTERM");
      await exited;
    },
    cleanup() {
      rmSync(directory, { recursive: true, force: true });
    },
  };
  return relay;
}

/** Signs an operator (the test operator unless told) in and returns a small REST client. */
/** An admin added with the command line, as a shop owner does. */
export function addAdmin(relay, operator) {
  cli(join(relay.directory, "beseda.db"), ["operator", "add", "--email", operator.email, "--name", operator.name, "--admin"], operator.password + "\n");
}

export async function operatorApi(relay, who = OPERATOR) {
  const login = await fetch(`${relay.url}/api/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: who.email, password: who.password }),
  });
  if (login.status !== 200) throw new Error(`sign-in failed: ${login.status}`);
  const { token, operator } = await login.json();
  const call = async (method, path, body) => {
    const response = await fetch(`${relay.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
  return {
    operator,
    token,
    call,
    setOnline: (online) => call("PUT", "/api/me/availability", { online }),
    conversations: async () => (await call("GET", "/api/conversations")).body,
    conversation: async (id) => (await call("GET", `/api/conversations/${id}`)).body,
    reply: (id, text) => call("POST", `/api/conversations/${id}/messages`, { text }),
  };
}

export const THROWAWAY_BINARY = resolve(process.env.BESEDA_THROWAWAY ?? "../../target/release/beseda-throwaway");

/**
 * A throwaway server from the `beseda-throwaway` program: `["postgres"]`, or
 * `["nginx", "--upstream", ADDR, …]` balancing relays as the example nginx configuration does.
 * Resolves with its `url` and `stop()`. The program stops the server and removes its directory
 * when its standard input closes, which happens at the latest when this process ends, however
 * it ends.
 */
export async function startThrowaway(args) {
  const child = spawn(THROWAWAY_BINARY, args, { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise((done) => child.once("exit", done));
  // Every line the program prints, in order: its URL, then one answer per command.
  const lines = createInterface({ input: child.stdout });
  const waiting = [];
  lines.on("line", (line) => waiting.shift()?.resolve(line.trim()));
  child.once("exit", (code) => {
    for (const { reject } of waiting.splice(0)) reject(new Error(`beseda-throwaway ${args.join(" ")} exited with ${code}`));
  });
  const nextLine = () => new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  const url = await nextLine();
  // Neither the pipes nor the program may keep this process alive: the end of the process
  // closes the program's input, and with it the server.
  child.stdout.unref();
  child.stdin.unref();
  child.unref();
  /** Sends a command line and waits for the program's answer. */
  const command = async (line, expected) => {
    const answer = nextLine();
    child.stdin.write(`${line}\n`);
    const said = await answer;
    if (said !== expected) throw new Error(`beseda-throwaway answered ${JSON.stringify(said)} to ${line}`);
  };
  return {
    url,
    /** PostgreSQL only: stops the server until `resume`, keeping its data and port. */
    pause: () => command("pause", "paused"),
    /** PostgreSQL only: starts the paused server again and waits until it takes connections. */
    resume: () => command("resume", "resumed"),
    /** Closes the program's input and waits until it has stopped the server. */
    async stop() {
      child.stdin.end();
      await exited;
    },
  };
}

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
}

/** Opens a page and waits until the widget says it is ready. */
export async function openShop(context, url) {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.errors = errors;
  await page.goto(url);
  await page.evaluate(() => new Promise((resolve) => window.Beseda.on("ready", resolve)));
  return page;
}

/** The widget's part of the page (inside its shadow root; Playwright pierces open roots). */
export const widget = (page) => page.locator("beseda-chat");

/** Waits until the widget's running animations (the window opening) have finished. */
export function settled(page) {
  return page.evaluate(() => Promise.all(document.querySelector("beseda-chat").shadowRoot.getAnimations().map((animation) => animation.finished)));
}

/** Polls `condition` (a REST read, say) until it holds; bounded, never a bare sleep. */
export async function eventually(condition, what, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolveTick) => setImmediate(resolveTick));
  }
}

/** A second origin serving shop pages (`pages` maps a path to HTML), for cross-origin embedding. */
export async function startShop(pages) {
  const server = createServer((request, response) => {
    const page = pages[new URL(request.url, "http://x").pathname];
    response.writeHead(page ? 200 : 404, { "content-type": "text/html; charset=utf-8" });
    response.end(page ?? "not found");
  });
  await new Promise((done) => server.listen(0, "127.0.0.1", done));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((done) => server.close(done)) };
}

const TYPES = { html: "text/html; charset=utf-8", js: "text/javascript", css: "text/css", svg: "image/svg+xml" };

/** Serves a built directory (the Vite example's dist) from its own origin. */
export async function serveDirectory(directory) {
  const server = createServer((request, response) => {
    let path = new URL(request.url, "http://x").pathname;
    if (path.endsWith("/")) path += "index.html";
    try {
      const body = readFileSync(join(directory, path));
      response.writeHead(200, { "content-type": TYPES[path.split(".").pop()] ?? "application/octet-stream" });
      response.end(body);
    } catch {
      response.writeHead(404).end("not found");
    }
  });
  await new Promise((done) => server.listen(0, "127.0.0.1", done));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((done) => server.close(done)) };
}

/**
 * One relay (operator online) and one browser for a whole test file: registers the hooks and
 * returns an object whose `relay`, `api` and `browser` are set before the first test.
 */
export function sharedRelay() {
  const shared = {};
  before(async () => {
    shared.browser = await launch();
    shared.relay = await startRelay();
    shared.api = await operatorApi(shared.relay);
    await shared.api.setOnline(true);
  });
  after(async () => {
    await shared.browser.close();
    await shared.relay.stop();
    shared.relay.cleanup();
  });
  return shared;
}
