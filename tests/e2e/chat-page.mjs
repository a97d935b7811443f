// The demo chat page as the end-to-end tests drive it: opening a page that records what went
// wrong on it, locators for its rooms and log, and the user's actions. The JS page (www/) and the
// Rust page (examples/chat) share the element ids, so both tests use these.

/** Generous: the machine is shared. */
export const WAIT = { timeout: 10000 };
/** The reconnection backoff: about 1 s, 2 s, 4 s, then 5 s between attempts. */
export const RECONNECT = { timeout: 20000 };

// Chromium logs refused and aborted requests as console errors: expected while the server is down.
const NETWORK_ERROR = /ERR_CONNECTION_REFUSED|ERR_FAILED|WebSocket connection to .* failed/;

/** Opens `url` in a fresh context of `browser`, pushing any page error, console error or dialog
 * to `problems` (prefixed with `name`). */
export async function openPage(browser, url, name, problems) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on("pageerror", (err) => problems.push(`${name}: page error: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error" && !NETWORK_ERROR.test(msg.text())) {
      problems.push(`${name}: console error: ${msg.text()}`);
    }
  });
  page.on("dialog", async (dialog) => {
    problems.push(`${name}: dialog: ${dialog.message()}`);
    await dialog.dismiss();
  });
  await page.goto(url);
  return page;
}

export const exactly = (text) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
export const room = (page, name, state = "") => page.locator(`#rooms li${state}[data-room="${name}"]`);
export const members = (page, name, count) =>
  room(page, name).locator(".count", { hasText: exactly(String(count)) });
// Log lines: a message by its text, a notice by its room and text.
const line = (page, kind, text) =>
  page
    .locator(`#messages li.${kind}`)
    .filter({ has: page.locator(".text", { hasText: exactly(text) }) });
export const message = (page, text) => line(page, "msg", text);
export const notice = (page, roomName, text) =>
  line(page, "notice", text).filter({
    has: page.locator(".room", { hasText: exactly(`#${roomName}`) }),
  });
const plural = (count, word) => `${count} ${word}${count === 1 ? "" : "s"}`;
/** The /admin namespace's line: "n users online, m rooms". */
export const stats = (page, users, rooms) => {
  const text = `${plural(users, "user")} online, ${plural(rooms, "room")}`;
  return page.locator("#stats", { hasText: exactly(text) });
};

export async function setNick(page, nick) {
  await page.locator("#status[data-state=connected]").waitFor(WAIT);
  await page.fill("#nick", nick);
  await page.click("#set-nick");
  await room(page, "lobby", ".current").waitFor(WAIT);
}

/** Creates or joins a room through the form; it becomes the room messages go to. */
export async function joinRoom(page, name) {
  await page.fill("#room", name);
  await page.click("#join-room");
  await room(page, name, ".current").waitFor(WAIT);
}

export async function say(page, text) {
  await page.fill("#message", text);
  await page.press("#message", "Enter");
}
