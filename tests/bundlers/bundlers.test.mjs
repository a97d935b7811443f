// The package as bundler users get it: `npm pack`, installed from the tarball into a minimal
// Vite app and a minimal webpack 5 app, each built in production mode with the bundler's
// default configuration (no config file, no plugin, no target change), then run in headless
// Chromium against the demo chat server, where each app says hello in the lobby. The Vite app is
// built again from each smaller entry, `socketio-wasm/websocket` and `socketio-wasm/minimal`.
//
//   node --test tests/bundlers/      (needs a built pkg/: `npm run build`)
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../../scripts/chromium.mjs";
import { startServer } from "../../www/server.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const HERE = fileURLToPath(new URL(".", import.meta.url));
const WORK = join(ROOT, "target/bundlers");
const BIN = join(ROOT, "node_modules/.bin");

// Synchronous, so the test's own timeout cannot stop it: it has its own (5 minutes).
const run = (command, args, cwd) =>
  execFileSync(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", timeout: 300000 });

let tarball;
let browser;

before(async () => {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const packed = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", WORK], ROOT));
  tarball = join(WORK, packed[0].filename);
  browser = await launchChromium();
});

after(() => browser?.close());

// A new app directory holding `files` (name -> source path), with the tarball installed.
function makeApp(name, files) {
  const dir = join(WORK, name);
  mkdirSync(dir, { recursive: true });
  for (const [to, from] of Object.entries(files)) {
    mkdirSync(join(dir, to, ".."), { recursive: true });
    cpSync(from, join(dir, to));
  }
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, private: true, type: "module" }));
  run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", tarball], dir);
  return dir;
}

// Serves `mounts` from the demo server, opens `path` and waits for the app's hello to come back.
async function chat(t, mounts, path, nick) {
  const server = await startServer({ port: 0, mounts });
  t.after(() => server.close());
  const page = await browser.newPage();
  t.after(() => page.close());
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(server.url + path);
  await page.waitForFunction(() => document.body.dataset.chat, null, { timeout: 10000 });
  const body = await page.evaluate(() => ({ ...document.body.dataset }));
  assert.deepEqual(JSON.parse(body.chat).text, `hello from ${nick}`);
  assert.equal(JSON.parse(body.chat).nick, nick);
  assert.deepEqual(errors, []);
  return body;
}

test("Vite, default configuration: builds the installed package and chats", { timeout: 120000 }, async (t) => {
  const dir = makeApp("vite-app", {
    "index.html": join(HERE, "vite/index.html"),
    "app.js": join(HERE, "app.js"),
  });
  run(join(BIN, "vite"), ["build", "--logLevel", "warn"], dir);
  const dist = join(dir, "dist");
  const assets = readdirSync(join(dist, "assets"));
  assert.ok(assets.some((name) => name.endsWith(".wasm")), `the wasm is an asset: ${assets}`);
  await chat(t, { "/vite/": dist + "/", "/assets/": join(dist, "assets") + "/" }, "/vite/", "vite-app");
});

test("webpack 5, default configuration: builds the installed package and chats", { timeout: 120000 }, async (t) => {
  const dir = makeApp("webpack-app", {
    "src/index.js": join(HERE, "app.js"),
    "dist/index.html": join(HERE, "webpack/index.html"),
  });
  run(join(BIN, "webpack"), ["--mode", "production"], dir);
  const files = readdirSync(join(dir, "dist"));
  assert.ok(files.some((name) => name.endsWith(".wasm")), `the wasm is emitted: ${files}`);
  await chat(t, { "/webpack/": join(dir, "dist") + "/" }, "/webpack/", "webpack-app");
});

for (const entry of ["websocket", "minimal"]) {
  test(`Vite, default configuration: the ${entry} entry (socketio-wasm/${entry}) builds and chats over WebSocket`, { timeout: 120000 }, async (t) => {
    const dir = makeApp(`vite-${entry}-app`, {
      "index.html": join(HERE, "vite/index.html"),
      "app.js": join(HERE, "app.js"),
    });
    const app = join(dir, "app.js");
    writeFileSync(app, readFileSync(app, "utf8").replace('from "socketio-wasm"', `from "socketio-wasm/${entry}"`));
    run(join(BIN, "vite"), ["build", "--logLevel", "warn"], dir);
    const dist = join(dir, "dist");
    const assets = readdirSync(join(dist, "assets"));
    assert.ok(assets.some((name) => name.endsWith(".wasm")), `the wasm is an asset: ${assets}`);
    const code = assets.filter((name) => name.endsWith(".js")).map((name) => readFileSync(join(dist, "assets", name), "utf8"));
    assert.ok(!code.join("").includes("XMLHttpRequest"), "no polling code in the bundle");
    const body = await chat(t, { "/vite/": dist + "/", "/assets/": join(dist, "assets") + "/" }, "/vite/", "vite-app");
    assert.equal(body.transport, "websocket");
  });
}
