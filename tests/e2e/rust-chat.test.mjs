// End-to-end test of the Rust chat example (examples/chat, served at /rust/) against the JS demo
// chat (www/): both pages, each in its own browser context of headless Chromium, chat through
// the same demo server (www/server.mjs, run in this process).
//
//   bash scripts/example.sh && node --test tests/e2e/rust-chat.test.mjs
//
// Needs /usr/bin/chromium, a built pkg/ (the JS page) and target/example/ (the Rust page). The
// tests run in order (the last restarts the server), each with its own users.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { launchChromium } from "../../scripts/chromium.mjs";
import { startServer } from "../../www/server.mjs";
import { RECONNECT, WAIT, exactly, joinRoom, members, message, notice, openPage, room, say, setNick, stats } from "./chat-page.mjs";

const BUILT = new URL("../../target/example/socketio_wasm_chat_bg.wasm", import.meta.url);

let server;
let browser;

before(async () => {
  assert.ok(existsSync(BUILT), "build the example first: bash scripts/example.sh");
  server = await startServer({ port: 0 });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

// Opens `path` in a fresh browser context, closed when test `t` ends.
async function open(t, name, path, problems) {
  const page = await openPage(browser, server.url + path, name, problems);
  t.after(() => page.context().close());
  return page;
}

test("the Rust page and the JS page chat through the demo server", { timeout: 60000 }, async (t) => {
  const problems = [];
  const rust = await open(t, "rust", "/rust/", problems);
  const js = await open(t, "js", "/", problems);

  // The status line names the transport: polling first, WebSocket once upgraded.
  await rust.locator("#status", { hasText: /^connected over websocket \(.+\)$/ }).waitFor(WAIT);

  await setNick(rust, "ferris");
  await setNick(js, "jsuser");
  await notice(rust, "lobby", "jsuser joined").waitFor(WAIT);
  await stats(rust, 2, 1).waitFor(WAIT);

  await joinRoom(rust, "crab");
  await notice(rust, "crab", "ferris joined").waitFor(WAIT);
  await room(js, "crab").locator("button.name").click(); // the JS page joins from the list
  await room(js, "crab", ".current").waitFor(WAIT);
  await notice(rust, "crab", "jsuser joined").waitFor(WAIT);
  await members(rust, "crab", 2).waitFor(WAIT);
  await members(js, "crab", 2).waitFor(WAIT);

  await say(rust, "hello from Rust");
  await message(js, "hello from Rust").waitFor(WAIT);
  await say(js, "hello from JS");
  await message(rust, "hello from JS").waitFor(WAIT);
  const sender = rust.locator("#messages li.msg", { hasText: "hello from JS" }).locator(".nick");
  assert.equal(await sender.textContent(), "jsuser");

  // Markup typed in the Rust page stays text, on both pages.
  const markup = '<img src=x onerror="window.pwned=1"><b>bold</b>';
  await say(rust, markup);
  for (const page of [rust, js]) {
    await message(page, markup).waitFor(WAIT);
    assert.equal(await page.locator("#messages img, #messages b").count(), 0);
    assert.equal(await page.evaluate(() => window.pwned), undefined);
  }

  // Leaving from the Rust page's list: the JS page sees the notice and the count.
  await room(rust, "crab").locator("button.leave").click();
  await notice(js, "crab", "ferris left").waitFor(WAIT);
  await members(js, "crab", 1).waitFor(WAIT);
  await room(rust, "lobby", ".current").waitFor(WAIT);

  assert.deepEqual(problems, []);
});

test("each page shows the other typing", { timeout: 60000 }, async (t) => {
  const problems = [];
  const rust = await open(t, "rust", "/rust/", problems);
  const js = await open(t, "js", "/", problems);
  // "typing" is volatile: dropped, not buffered, while a polling request is under way.
  for (const page of [rust, js]) {
    await page.locator("#status", { hasText: "connected over websocket" }).waitFor(WAIT);
  }
  await setNick(rust, "crabby");
  await setNick(js, "jsy");
  await members(rust, "lobby", 2).waitFor(WAIT);

  // The Rust page types (Socket::volatile), the JS page shows it; not the typist herself.
  await rust.locator("#message").pressSequentially("hel");
  await js.locator("#typing", { hasText: exactly("crabby is typing in #lobby…") }).waitFor(WAIT);
  assert.equal(await rust.textContent("#typing"), "", "the typist is not told about herself");

  // The JS page types, the Rust page shows it until it expires...
  const jsTyping = rust.locator("#typing", { hasText: exactly("jsy is typing in #lobby…") });
  await js.locator("#message").pressSequentially("hi");
  await jsTyping.waitFor(WAIT);
  await rust.locator("#typing:empty").waitFor({ state: "attached", timeout: 6000 });

  // ...or until the message arrives.
  await js.locator("#message").pressSequentially(" there");
  await jsTyping.waitFor(WAIT);
  await js.press("#message", "Enter");
  await message(rust, "hi there").waitFor(WAIT);
  assert.equal(await rust.textContent("#typing"), "");

  assert.deepEqual(problems, []);
});

test("server restart: the Rust page reconnects as itself and sends what was typed offline", { timeout: 60000 }, async (t) => {
  const problems = [];
  const rust = await open(t, "rust", "/rust/", problems);
  const js = await open(t, "js", "/", problems);
  await setNick(rust, "rusty");
  await setNick(js, "jay");
  await joinRoom(rust, "deck");
  await joinRoom(js, "deck");
  await members(rust, "deck", 2).waitFor(WAIT);

  // The server goes away and forgets everyone; the Rust page counts its attempts.
  const { port } = server;
  await server.close();
  const attempt = /^reconnecting \(attempt \d+\)$/;
  await rust.locator("#status[data-state=reconnecting]", { hasText: attempt }).waitFor(WAIT);
  assert.ok(await rust.isEnabled("#message"), "the input stays usable offline");
  await say(rust, "typed offline");

  // Back on the same port; the Rust page is held off until the JS page is back in the deck,
  // so that someone is there when its message arrives (the chat keeps no history).
  const socketIo = (url) => url.pathname.startsWith("/socket.io/");
  await rust.route(socketIo, (route) => route.abort());
  server = await startServer({ port });
  await js.locator("#status[data-state=connected]").waitFor(RECONNECT);
  await members(js, "deck", 1).waitFor(WAIT);
  await rust.unroute(socketIo);

  // Its auth (Socket::set_auth) restores its nickname and rooms before the buffered message.
  await rust.locator("#status[data-state=connected]").waitFor(RECONNECT);
  await notice(js, "deck", "rusty joined").waitFor(WAIT);
  await message(js, "typed offline").waitFor(WAIT);
  assert.equal(await message(js, "typed offline").locator(".nick").textContent(), "rusty");
  await members(rust, "deck", 2).waitFor(WAIT);
  assert.equal(await rust.textContent("#send-room"), "#deck", "still talking in the deck");

  assert.deepEqual(problems, []);
});
