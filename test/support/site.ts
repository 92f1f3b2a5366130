// The built site served on 127.0.0.1 and a headless Chromium pointed at it, for the page tests:
// `useBuiltSite()` registers the hooks that build (once per set of sources, see build.ts),
// serve and launch before the tests of the calling scope, and close both after them.

import {afterAll, beforeAll} from "vitest";
import type {Page} from "playwright-core";
import {serveDist, type DistServer, type ServedRequest} from "../../scripts/serve-dist.mjs";
import {launchBrowser, type TestBrowser} from "./browser.js";
import {ensureBuilt} from "./build.js";

export interface BuiltSite {
  /** The built site's directory. */
  readonly dist: string;
  /** Base URL of the server, ending in "/". */
  readonly url: string;
  readonly browser: TestBrowser;
  readonly page: Page;
  /** Every request the static server answered (status, range, bytes sent), oldest first. */
  readonly served: ServedRequest[];
  /** Absolute URL of a site path such as "reports/data-cleaning". */
  at(path: string): string;
}

export function useBuiltSite(viewport?: {width?: number; height?: number}): BuiltSite {
  let dist: string | undefined, server: DistServer | undefined, browser: TestBrowser | undefined;
  const served: ServedRequest[] = [];
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`useBuiltSite: ${what} is not ready (use it inside a test or a later beforeAll)`);
    return value;
  };
  beforeAll(async () => {
    ({dist} = await ensureBuilt());
    server = await serveDist(dist, {log: (r) => served.push({...r})});
    browser = await launchBrowser(viewport);
  }, 900_000); // a build from scratch takes minutes on 2 cores, and others may wait for it
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  return {
    get dist() { return ready(dist, "dist"); },
    get url() { return ready(server, "server").url; },
    get browser() { return ready(browser, "browser"); },
    get page() { return ready(browser, "browser").page; },
    served,
    at(path: string) { return new URL(`./${path.replace(/^\.?\//, "")}`, ready(server, "server").url).href; }
  };
}
