// Headless Chromium for page tests, with the network closed: every request that is not to
// 127.0.0.1 is aborted and recorded, so a test can assert that the site fetched nothing from
// outside. Console errors and uncaught page errors are recorded as well.

import {mkdtemp, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {chromium, type BrowserContext, type Page} from "playwright-core";

export const CHROMIUM = process.env.PULSEBOOK_CHROMIUM || "/usr/bin/chromium";

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Requests to anything but 127.0.0.1 (all were aborted). */
  external: string[];
  /** Uncaught exceptions in the page. */
  pageErrors: string[];
  /** console.error messages. */
  consoleErrors: string[];
  close(): Promise<void>;
}

export async function launchBrowser({width = 1200, height = 1000} = {}): Promise<TestBrowser> {
  const userDataDir = await mkdtemp(join(tmpdir(), "pulsebook-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless", "--no-sandbox", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-gpu"
    ],
    viewport: {width, height}
  });
  const external: string[] = [];
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  // Routes on the context also cover workers (DuckDB's) and every page of the context.
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === "http:" && url.hostname === "127.0.0.1") return route.continue();
    external.push(url.href);
    return route.abort("blockedbyclient");
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (e) => pageErrors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(m.text());
  });
  return {
    context,
    page,
    external,
    pageErrors,
    consoleErrors,
    async close() {
      await context.close().catch(() => undefined);
      await rm(userDataDir, {recursive: true, force: true});
    }
  };
}
