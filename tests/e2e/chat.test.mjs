// End-to-end test of the demo chat (www/) in headless Chromium, driven by playwright-core: users
// in separate browser contexts pick nicknames, chat in rooms, see who types, see the /admin
// counts, and keep chatting across a server restart.
//
//   node --test tests/e2e/
//
// Runs the chat server in this process (www/server.mjs exports startServer), so that one test can
// stop it and start it again on the same port. Needs /usr/bin/chromium and a built pkg/ (the
// page imports "socketio-wasm" from /pkg/index.js). The tests run in order, each with its own
// users, who leave at its end.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { io as connectNode } from "socket.io-client";
import { launchChromium } from "../../scripts/chromium.mjs";
import { startServer } from "../../www/server.mjs";
import { RECONNECT, WAIT, joinRoom, members, message, notice, openPage, room, say, setNick, stats } from "./chat-page.mjs";

let server;
let browser;

before(async () => {
  server = await startServer({ port: 0 });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

// Opens the chat (`path` of the demo server) in a fresh browser context.
async function openChat(name, problems, path = "/") {
  return openPage(browser, server.url + path, name, problems);
}

// Opens one page per nickname, closed when test `t` ends. The nicknames are picked in order, so
// each user sees the later ones join the lobby.
async function openUsers(t, problems, ...nicks) {
  const pages = await Promise.all(nicks.map((nick) => openChat(nick, problems)));
  t.after(() => closeAll(...pages));
  for (const [i, page] of pages.entries()) await setNick(page, nicks[i]);
  return pages;
}

async function closeAll(...pages) {
  await Promise.all(pages.map((page) => page.context().close()));
}

test("the server checks every input", { timeout: 10000 }, async () => {
  // Straight from Node with socket.io-client: the page never sends most of these.
  const client = connectNode(server.url, { transports: ["websocket"] });
  const next = (socket, event) => new Promise((resolve) => socket.once(event, resolve));
  const expectRejected = async (event, value, reason) => {
    const rejected = next(client, "rejected");
    client.emit(event, value);
    assert.match((await rejected).reason, reason, `${event} ${JSON.stringify(value)}`);
  };
  try {
    await next(client, "you");
    await expectRejected("join", "kitchen", /pick a nickname first/);
    await expectRejected("chat", { room: "lobby", text: "hi" }, /join the room first/);
    for (const nick of ["bad\u0007nick", "x".repeat(25), "   ", 42, null]) {
      await expectRejected("nick", nick, /nickname must be 1 to 24 printable characters/);
    }
    const you = next(client, "you");
    client.emit("nick", "  val  ");
    assert.deepEqual(await you, { nick: "val", rooms: ["lobby"] }, "trimmed, and in the lobby");
    await expectRejected("nick", "other", /a nickname already/);
    for (const name of ["r".repeat(33), "a\nb", "", {}]) {
      await expectRejected("join", name, /room names must be 1 to 32 printable characters/);
    }
    await expectRejected("leave", "nowhere", /not in that room/);
    await expectRejected("chat", { room: "nowhere", text: "hi" }, /join the room first/);
    await expectRejected("chat", "hi", /join the room first/);
    await expectRejected("chat", { room: "lobby", text: " " }, /message must be 1 to 500/);
    const long = { room: "lobby", text: "x".repeat(501) };
    await expectRejected("chat", long, /message must be 1 to 500/);
    // 20 rooms at most, the lobby included; existing rooms can still be joined.
    for (let i = 1; i <= 19; i++) client.emit("join", `r${i}`);
    await expectRejected("join", "r20", /there are 20 rooms already/);

    // A reconnecting page's auth is checked like "nick" and "join".
    const taken = connectNode(server.url, {
      transports: ["websocket"],
      auth: { nick: "val", rooms: ["lobby"] },
      forceNew: true,
    });
    const [rejected, nobody] = await Promise.all([next(taken, "rejected"), next(taken, "you")]);
    taken.close();
    assert.match(rejected.reason, /nickname taken/);
    assert.deepEqual(nobody, { nick: null, rooms: [] });
    const back = connectNode(server.url, {
      transports: ["websocket"],
      auth: { nick: "back", rooms: ["r1", "bad\u0000room", "lobby"] },
      forceNew: true,
    });
    const [badRoom, restored] = await Promise.all([next(back, "rejected"), next(back, "you")]);
    back.close();
    assert.match(badRoom.reason, /room names must be/);
    assert.deepEqual(restored, { nick: "back", rooms: ["r1", "lobby"] });
  } finally {
    client.close();
  }
});

test("two users chat in the lobby", { timeout: 20000 }, async (t) => {
  const problems = [];
  const [alice, bob] = await openUsers(t, problems, "alice", "bob");

  for (const page of [alice, bob]) await members(page, "lobby", 2).waitFor(WAIT);
  await notice(alice, "lobby", "bob joined").waitFor(WAIT);

  // The status line shows the live transport: with default options the page starts on
  // long-polling and upgrades to WebSocket (the engine's "upgrade" event updates the line).
  for (const page of [alice, bob]) {
    assert.match(await page.textContent("#status"), /^connected over (polling|websocket) \(.+\)$/);
    await page.locator("#status", { hasText: "connected over websocket" }).waitFor(WAIT);
  }

  // A message typed by alice (Enter sends) reaches bob, and alice herself.
  await alice.locator("#message").pressSequentially("hello bob");
  await alice.press("#message", "Enter");
  for (const page of [bob, alice]) await message(page, "hello bob").waitFor(WAIT);
  const received = message(bob, "hello bob");
  assert.equal(await received.locator(".nick").textContent(), "alice");
  assert.equal(await received.locator(".room").textContent(), "#lobby");
  assert.equal(await alice.inputValue("#message"), "", "the input is cleared after sending");

  // Markup in a message is shown as text, never interpreted.
  const xss = "<img src=x onerror=alert(1)>";
  await say(alice, xss);
  await message(bob, xss).waitFor(WAIT);
  assert.equal(await message(bob, xss).locator(".text").textContent(), xss);
  for (const page of [alice, bob]) {
    assert.equal(await page.locator("#messages img").count(), 0, "no img element in #messages");
  }

  // bob closes his page: alice sees him leave.
  await closeAll(bob);
  await notice(alice, "lobby", "bob left").waitFor(WAIT);
  await members(alice, "lobby", 1).waitFor(WAIT);

  // Give a late onerror handler or dialog a moment to show up before judging.
  await alice.waitForTimeout(200);
  assert.deepEqual(problems, []);
});

test("rooms keep messages apart; notices, counts, /admin counts", { timeout: 20000 }, async (t) => {
  const problems = [];
  const [ann, ben, cy] = await openUsers(t, problems, "ann", "ben", "cy");
  await members(cy, "lobby", 3).waitFor(WAIT);
  await stats(ann, 3, 1).waitFor(WAIT);

  // ann creates a room; everyone sees it in the list.
  await joinRoom(ann, "kitchen");
  await notice(ann, "kitchen", "ann joined").waitFor(WAIT);
  await members(cy, "kitchen", 1).waitFor(WAIT);

  // ben joins it from the list: the room is told, the count follows.
  await room(ben, "kitchen").locator(".name").click();
  await room(ben, "kitchen", ".current").waitFor(WAIT);
  await notice(ann, "kitchen", "ben joined").waitFor(WAIT);
  await members(cy, "kitchen", 2).waitFor(WAIT);

  // cy goes to a room of her own and leaves the lobby.
  await joinRoom(cy, "garden");
  await room(cy, "lobby").locator(".leave").click();
  await notice(ann, "lobby", "cy left").waitFor(WAIT);
  await members(ben, "lobby", 2).waitFor(WAIT);
  await stats(ben, 3, 3).waitFor(WAIT);
  for (const page of [ann, ben, cy]) await members(page, "garden", 1).waitFor(WAIT);

  // A message to the kitchen reaches ben, not cy: once cy sees her own later message in the
  // garden, anything sent to her before it would have arrived.
  await say(ann, "soup is ready");
  await message(ben, "soup is ready").waitFor(WAIT);
  assert.equal(await message(ben, "soup is ready").locator(".room").textContent(), "#kitchen");
  await say(cy, "roses");
  await message(cy, "roses").waitFor(WAIT);
  assert.equal(await message(cy, "soup is ready").count(), 0, "cy is not in the kitchen");
  assert.equal(await notice(cy, "kitchen", "ben joined").count(), 0, "nor are its notices");
  await say(ann, "anyone?");
  await message(ann, "anyone?").waitFor(WAIT);
  assert.equal(await message(ann, "roses").count(), 0, "ann is not in the garden");

  // ben leaves the kitchen: the room is told, the count follows, ben talks in the lobby again.
  await room(ben, "kitchen").locator(".leave").click();
  await notice(ann, "kitchen", "ben left").waitFor(WAIT);
  await members(cy, "kitchen", 1).waitFor(WAIT);
  await room(ben, "lobby", ".current").waitFor(WAIT);
  assert.equal(await ben.textContent("#send-room"), "#lobby");

  // Leaving the page leaves every room: empty rooms go, the counts follow.
  await closeAll(cy);
  await room(ann, "garden").waitFor({ ...WAIT, state: "detached" });
  await stats(ann, 2, 2).waitFor(WAIT);

  assert.deepEqual(problems, []);
});

test("the typing indicator reaches the room and goes away", { timeout: 20000 }, async (t) => {
  const problems = [];
  const [dot, eve] = await openUsers(t, problems, "dot", "eve");
  // "typing" is volatile: dropped, not buffered, while the transport is busy (as in the upgrade).
  await eve.locator("#status", { hasText: "connected over websocket" }).waitFor(WAIT);

  const typing = dot.locator("#typing", { hasText: "eve is typing in #lobby…" });
  await eve.locator("#message").pressSequentially("hel");
  await typing.waitFor(WAIT);
  assert.equal(await eve.textContent("#typing"), "", "the typist is not told about herself");

  // It expires a few seconds after the last keystroke...
  await dot.locator("#typing:empty").waitFor({ state: "attached", timeout: 6000 });

  // ...and ends at once when the message arrives.
  await eve.locator("#message").pressSequentially("lo");
  await typing.waitFor(WAIT);
  await eve.press("#message", "Enter");
  await message(dot, "hello").waitFor(WAIT);
  assert.equal(await dot.textContent("#typing"), "");

  assert.deepEqual(problems, []);
});

test("server restart: rejoin, then send what was typed offline", { timeout: 30000 }, async (t) => {
  const problems = [];
  const [fay, gus] = await openUsers(t, problems, "fay", "gus");
  await joinRoom(fay, "porch");
  await joinRoom(gus, "porch");
  await members(fay, "porch", 2).waitFor(WAIT);

  // The server goes away and forgets everyone; the pages keep trying.
  const { port } = server;
  await server.close();
  for (const page of [fay, gus]) {
    const attempt = /^reconnecting \(attempt \d+\)/;
    await page.locator("#status[data-state=reconnecting]", { hasText: attempt }).waitFor(WAIT);
  }

  // The input stays usable offline; what is sent waits in the client, and the status counts it.
  assert.ok(await fay.isEnabled("#message"));
  await say(fay, "typed offline");
  await fay.locator("#status", { hasText: "1 message waiting" }).waitFor(WAIT);
  assert.equal(await message(fay, "typed offline").count(), 0, "not delivered yet");

  // Back on the same port. fay's requests are refused until gus is back in the porch, so that
  // someone is there when her message arrives (the chat keeps no history).
  const socketIo = (url) => url.pathname.startsWith("/socket.io/");
  await fay.route(socketIo, (route) => route.abort());
  server = await startServer({ port });
  await gus.locator("#status[data-state=connected]").waitFor(RECONNECT);
  await members(gus, "porch", 1).waitFor(WAIT);
  await fay.unroute(socketIo);

  // fay reconnects with her nickname and rooms, then her buffered message goes out.
  await fay.locator("#status[data-state=connected]").waitFor(RECONNECT);
  await notice(gus, "porch", "fay joined").waitFor(WAIT);
  for (const page of [gus, fay]) await message(page, "typed offline").waitFor(WAIT);
  assert.equal(await message(gus, "typed offline").locator(".room").textContent(), "#porch");
  assert.equal(await message(gus, "typed offline").locator(".nick").textContent(), "fay");
  assert.doesNotMatch(await fay.textContent("#status"), /waiting/);
  await members(gus, "porch", 2).waitFor(WAIT);
  await stats(gus, 2, 2).waitFor(WAIT);
  assert.equal(await fay.textContent("#send-room"), "#porch", "still talking in the porch");

  assert.deepEqual(problems, []);
});

test("the tutorial page (classic script, global io()) chats between two pages", { timeout: 20000 }, async (t) => {
  const problems = [];
  const pages = await Promise.all(["a", "b"].map((name) => openChat(name, problems, "/classic.html")));
  t.after(() => closeAll(...pages));
  const [a, b] = pages;
  // The page calls io() in the script after the client's, before its wasm has loaded.
  await a.waitForFunction(() => socket.connected, null, WAIT);
  await b.waitForFunction(() => socket.connected, null, WAIT);
  await a.fill("#input", "hello <b>tutorial</b>");
  await a.press("#input", "Enter");
  for (const page of [a, b]) {
    await page.waitForFunction(() => document.querySelectorAll("#messages li").length === 1, null, WAIT);
    assert.equal(await page.textContent("#messages li"), "hello <b>tutorial</b>");
  }
  assert.deepEqual(problems, []);
});
