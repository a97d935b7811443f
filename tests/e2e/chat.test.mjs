// End-to-end test of the demo chat (www/) in headless Chromium, driven by playwright-core:
// two users in two browser contexts join, see each other, and exchange messages.
//
//   node --test tests/e2e/
//
// Starts `node www/server.mjs` with PORT=0 and stops it afterwards. Needs /usr/bin/chromium
// and a built pkg/ (the page imports "socketio-wasm" from /pkg/index.js).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../../scripts/chromium.mjs";

const SERVER = fileURLToPath(new URL("../../www/server.mjs", import.meta.url));
const WAIT = { timeout: 5000 };

let server;
let browser;
let baseUrl;

// Starts the chat server and resolves with its URL, read from its "chat listening on" line.
function startServer() {
  server = spawn(process.execPath, [SERVER], {
    env: { ...process.env, PORT: "0" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 10000);
    server.stdout.setEncoding("utf8");
    server.stdout.on("data", (chunk) => {
      out += chunk;
      const match = out.match(/^chat listening on (http:\/\/localhost:\d+)$/m);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    server.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${out}`));
    });
  });
}

before(async () => {
  baseUrl = await startServer();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server.once("exit", resolve));
    server.kill("SIGTERM");
    await exited;
  }
});

// Opens the chat in a fresh browser context and records anything that went wrong on the page.
async function openChat(name, problems) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on("pageerror", (err) => problems.push(`${name}: page error: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`${name}: console error: ${msg.text()}`);
  });
  page.on("dialog", async (dialog) => {
    problems.push(`${name}: dialog: ${dialog.message()}`);
    await dialog.dismiss();
  });
  await page.goto(baseUrl);
  return page;
}

async function join(page, nick) {
  await page.locator("#status[data-state=connected]").waitFor(WAIT);
  await page.fill("#nick", nick);
  await page.click("#join");
  await page.locator("#message:enabled").waitFor(WAIT);
}

const userItem = (page, nick) => page.locator("#users li", { hasText: new RegExp(`^${nick}$`) });
const messageItem = (page, text) => page.locator("#messages li.msg .text", { hasText: text });

test("two users chat through the demo page", { timeout: 30000 }, async () => {
  const problems = [];
  const alice = await openChat("alice", problems);
  const bob = await openChat("bob", problems);

  await join(alice, "alice");
  await join(bob, "bob");

  // Each sees both users online.
  for (const page of [alice, bob]) {
    await userItem(page, "alice").waitFor(WAIT);
    await userItem(page, "bob").waitFor(WAIT);
  }
  await alice.locator("#messages li.notice", { hasText: "bob joined" }).waitFor(WAIT);

  // The status line shows the connection, its live transport and its socket id: with default
  // options the page starts on long-polling and upgrades to WebSocket.
  for (const page of [alice, bob]) {
    assert.match(await page.textContent("#status"), /^connected over (polling|websocket) \(.+\)$/);
    await page.locator("#status", { hasText: "connected over websocket" }).waitFor(WAIT);
  }

  // A message typed by alice (Enter sends) reaches bob, and alice herself.
  await alice.locator("#message").pressSequentially("hello bob");
  await alice.press("#message", "Enter");
  for (const page of [bob, alice]) await messageItem(page, "hello bob").waitFor(WAIT);
  assert.equal(
    await bob.locator("#messages li.msg", { hasText: "hello bob" }).locator(".nick").textContent(),
    "alice",
  );
  assert.equal(await alice.inputValue("#message"), "", "the input is cleared after sending");

  // Markup in a message is shown as text, never interpreted.
  const xss = "<img src=x onerror=alert(1)>";
  await alice.fill("#message", xss);
  await alice.press("#message", "Enter");
  const shown = messageItem(bob, xss);
  await shown.waitFor(WAIT);
  assert.equal(await shown.textContent(), xss);
  for (const page of [alice, bob]) {
    assert.equal(await page.locator("#messages img").count(), 0, "no img element in #messages");
  }

  // bob leaves: alice sees it.
  await bob.context().close();
  await alice.locator("#messages li.notice", { hasText: "bob left" }).waitFor(WAIT);
  await userItem(alice, "bob").waitFor({ ...WAIT, state: "detached" });

  // Give a late onerror handler or dialog a moment to show up before judging.
  await alice.waitForTimeout(200);
  assert.deepEqual(problems, []);
});
