// A CPU profile of one workload in one client, summarised by self time per function: where a
// client spends its time, to choose what to optimise (see README, Benchmarks).
//
//   node bench/profile.mjs [client=wasm|sioc|floor] [workload=recv|emit|ack] [size=small|1k|64k|bin64k] [n]
//
// It runs on the in-page fake WebSocket (no network), after a warm-up run of the same workload.
import { launchChromium } from "../scripts/chromium.mjs";
import { startServers } from "./servers.mjs";

const [client = "wasm", workload = "recv", size = "1k", n = "30000"] = process.argv.slice(2);
const servers = await startServers();
const browser = await launchChromium();
try {
  const page = await (await browser.newContext()).newPage();
  page.on("pageerror", (err) => console.error("page error:", err.message));
  await page.goto(`${servers.sioUrl}/page/index.html?client=${client}&fake=1`);
  await page.waitForFunction(() => window.bench?.ready === true);
  const target = { url: "http://fake.invalid", opts: { transports: ["websocket"] }, floorUrl: "ws://fake.invalid/floor" };
  const arg = { target, size, n: Number(n), timeoutMs: 120000 };
  await page.evaluate(([w, a]) => window.bench[w](a), [workload, arg]);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
  await cdp.send("Profiler.start");
  const result = await page.evaluate(([w, a]) => window.bench[w](a), [workload, arg]);
  const { profile } = await cdp.send("Profiler.stop");
  console.log(`${client} ${workload} ${size} x${n}:`, JSON.stringify(result));
  const self = new Map();
  const deltas = profile.timeDeltas;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const counts = new Map();
  profile.samples.forEach((id, i) => counts.set(id, (counts.get(id) ?? 0) + (deltas[i + 1] ?? 0)));
  let total = 0;
  for (const [id, us] of counts) {
    const frame = byId.get(id).callFrame;
    const file = frame.url.split("/").pop();
    const key = `${frame.functionName || "(anonymous)"} ${file}:${frame.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + us);
    total += us;
  }
  const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, 40);
  for (const [key, us] of rows) console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(1).padStart(8)} ms  ${key}`);
} finally {
  await browser.close();
  await servers.close();
}
