// Headless Chromium as a plain child in its own process group, on a given --user-data-dir, so that
// one SIGKILL reaches every process of it (browser, renderers, storage) as a crash would, and a
// new one can open the same profile afterwards. Used by the IndexedDB kill trials.

import {spawn, type ChildProcess} from "node:child_process";
import {chromium, type Browser} from "playwright-core";
import {CHROMIUM} from "./browser.js";

/** Chromium on `profile`, connected over CDP. */
export async function startChromium(profile: string): Promise<{child: ChildProcess; browser: Browser}> {
  const child = spawn(CHROMIUM, [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-default-apps", "--window-size=1200,1000", `--user-data-dir=${profile}`, "--remote-debugging-port=0", "about:blank"
  ], {stdio: ["ignore", "ignore", "pipe"], detached: true});
  const ws = await new Promise<string>((resolve, reject) => {
    let err = "";
    child.stderr!.on("data", (d) => {
      err += d;
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error(`chromium exited (${code}): ${err}`)));
  });
  return {child, browser: await chromium.connectOverCDP(ws)};
}

/** SIGKILL to the whole group; resolves when the browser process has exited. */
export function killGroup(child: ChildProcess): Promise<void> {
  const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.on("exit", () => resolve()));
  try {
    process.kill(-child.pid!, "SIGKILL");
  } catch {
    // the group is gone already
  }
  return exited;
}
