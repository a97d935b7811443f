// Launches the machine's Debian Chromium headless with the flags it needs here (see
// shared TOOLCHAIN.md: as root in a closed network), for the e2e tests, the API suite and the
// benchmark. Background pages are not throttled: timing tests and interleaved benchmark clients
// run in pages nobody looks at.
import { chromium } from "playwright-core";

const FLAGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-background-timer-throttling",
  "--disable-renderer-backgrounding",
  "--disable-backgrounding-occluded-windows",
];

/** The headless Chromium browser (playwright-core), launched from /usr/bin/chromium. */
export function launchChromium() {
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: FLAGS });
}
