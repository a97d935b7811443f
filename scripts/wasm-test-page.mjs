// The cargo runner of the Rust API's browser tests (scripts/browser-rust.sh): has
// wasm-bindgen-test-runner serve the test page, opens it in headless Chromium through playwright
// (as the API suite does), and prints the harness's output.
//
// Why not the runner's own headless mode: now and then the page never finished loading, and
// chromedriver waited 300 s before the run failed with no test run (wasm-pack#783; CI failed so
// three times). The cause is in the runner's HTTP server (tiny_http 0.12): its thread pool can
// lose a wake-up when several connections open at once, and a connection left in its queue is
// never served while the others stay open (keep-alive). A page's parallel module requests do
// that, mostly on a server just started. So the page goes through a proxy that talks to the
// runner over one connection at a time. Should a page still not start the tests within LOAD_MS,
// it is opened again, up to LOADS times; a test that fails is not retried.
//
// Usage (as cargo calls it): node scripts/wasm-test-page.mjs <test.wasm> [harness args...]
import { spawn } from "node:child_process";
import http from "node:http";
import { launchChromium } from "./chromium.mjs";

const LOAD_MS = 30_000;
const LOADS = 3;
/** The whole suite, once it has started (the same variable as the runner's headless mode). */
const RUN_MS = Number(process.env.WASM_BINDGEN_TEST_TIMEOUT ?? 120) * 1000;
/** The harness's output on the page, as an expression. */
const OUTPUT = 'document.getElementById("output")?.textContent ?? ""';

const [wasm, ...args] = process.argv.slice(2);
const server = spawn("wasm-bindgen-test-runner", [wasm, ...args], {
  env: {
    ...process.env,
    NO_HEADLESS: "1",
    WASM_BINDGEN_TEST_ADDRESS: "127.0.0.1:0",
    // Our pages need no SharedArrayBuffer, and apps' pages are rarely cross-origin isolated.
    WASM_BINDGEN_TEST_NO_ORIGIN_ISOLATION: "1",
  },
  stdio: ["ignore", "pipe", "inherit"],
});

let status = 1;
try {
  const proxy = await oneConnectionProxy(await pageUrl(server));
  const browser = await launchChromium();
  try {
    status = await runTests(browser, `http://127.0.0.1:${proxy.address().port}/`);
  } finally {
    await browser.close();
    proxy.close();
  }
} catch (error) {
  console.error(`wasm-test-page: ${error.message}`);
} finally {
  server.kill();
}
process.exit(status);

/** The URL wasm-bindgen-test-runner serves the test page at, once it listens. */
function pageUrl(child) {
  return new Promise((resolve, reject) => {
    let seen = "";
    child.stdout.on("data", (chunk) => {
      seen += chunk;
      const match = /available at (http:\/\/\S+)/.exec(seen);
      if (match) resolve(match[1]);
    });
    child.on("exit", (code) => reject(new Error(`wasm-bindgen-test-runner exited (${code})\n${seen}`)));
  });
}

/** An HTTP server that forwards every request to `target`, one at a time over one connection. */
function oneConnectionProxy(target) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const proxy = http.createServer((request, response) => {
    const forwarded = http.request(
      new URL(request.url, target),
      { method: request.method, headers: request.headers, agent },
      (answer) => {
        response.writeHead(answer.statusCode, answer.headers);
        answer.pipe(response);
      },
    );
    forwarded.on("error", (error) =>
      response.headersSent ? response.destroy() : response.writeHead(502).end(error.message),
    );
    // A page closed mid-answer: free the connection for the next page.
    response.on("close", () => response.writableFinished || forwarded.destroy());
    request.pipe(forwarded);
  });
  return new Promise((resolve) => proxy.listen(0, "127.0.0.1", () => resolve(proxy)));
}

/** Runs the suite in a page, opening it again while it never starts; the exit status. */
async function runTests(browser, url) {
  for (let load = 1; load <= LOADS; load++) {
    const page = await browser.newPage();
    const logs = [];
    page.on("console", (message) => logs.push(`console.${message.type()}: ${message.text()}`));
    page.on("pageerror", (error) => logs.push(`page error: ${error.message}`));
    const pending = new Set();
    page.on("request", (request) => pending.add(request.url()));
    page.on("requestfinished", (request) => pending.delete(request.url()));
    page.on("requestfailed", (request) => pending.delete(request.url()));
    try {
      await page.goto(url, { timeout: LOAD_MS });
      if (!(await started(page))) {
        console.error(`wasm-test-page: the tests had not started after ${LOAD_MS / 1000} s (load ${load} of ${LOADS})`);
        continue;
      }
      const output = await finished(page);
      process.stdout.write(output.endsWith("\n") ? output : `${output}\n`);
      if (/test result: ok\./.test(output)) return 0;
      if (!output.includes("test result:")) {
        console.error(`wasm-test-page: no result after ${RUN_MS / 1000} s`);
      }
      console.error(logs.join("\n"));
      return 1;
    } catch (error) {
      console.error(`wasm-test-page: ${error.message} (load ${load} of ${LOADS}); pending: ${[...pending].join(" ")}`);
    } finally {
      await page.close().catch(() => {});
    }
  }
  return 1;
}

/** Whether the harness has started running tests within LOAD_MS of the load. */
async function started(page) {
  const running = `/^running \\d+ tests?/m.test(${OUTPUT})`;
  return page.waitForFunction(running, null, { timeout: LOAD_MS }).then(
    () => true,
    () => false,
  );
}

/** The harness's output, once it has printed its result or RUN_MS has passed. */
async function finished(page) {
  const done = `(${OUTPUT}).includes("test result:")`;
  await page.waitForFunction(done, null, { timeout: RUN_MS, polling: 250 }).catch(() => {});
  return page.evaluate(OUTPUT);
}
