#!/usr/bin/env node
// The page tests drive Debian's Chromium (playwright-core brings no browser). Installs it with
// apt-get when missing and we may; otherwise fails with the command to run — the browser
// tests are never skipped silently.
import {existsSync} from "node:fs";
import {execFileSync} from "node:child_process";

const CHROMIUM = process.env.PULSEBOOK_CHROMIUM ?? "/usr/bin/chromium";
if (existsSync(CHROMIUM)) process.exit(0);

const root = process.getuid?.() === 0;
const sudo = !root && (() => { try { execFileSync("sudo", ["-n", "true"]); return true; } catch { return false; } })();
if (!root && !sudo) {
  console.error(`Chromium not found at ${CHROMIUM}. Install it (Debian: sudo apt-get install -y chromium) or set PULSEBOOK_CHROMIUM.`);
  process.exit(1);
}
const run = (args) => execFileSync(root ? args[0] : "sudo", root ? args.slice(1) : args, {stdio: "inherit", env: {...process.env, DEBIAN_FRONTEND: "noninteractive"}});
console.error("Installing Debian's chromium for the browser tests…");
run(["apt-get", "update", "-qq"]);
run(["apt-get", "install", "-y", "-qq", "chromium"]);
if (!existsSync(CHROMIUM)) {
  console.error(`apt-get finished but ${CHROMIUM} is still missing`);
  process.exit(1);
}
