#!/usr/bin/env node
// What the browser and WebGPU tests need from Debian, installed with apt-get when missing and
// we may; otherwise fails with the command to run — those tests are never skipped silently.
//   chromium                      the page tests (playwright-core brings no browser)
//   libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri
//                                 Mesa's OpenGL ES on llvmpipe, under Dawn (`webgpu` package):
//                                 the WebGPU backend test without a GPU
//   slurm-wlm munge               a real one-node Slurm cluster for `pulsebook submit`
//                                 (test/slurm.test.ts); its daemons run as root, so these are
//                                 installed only where we may, and the test says why it is
//                                 skipped elsewhere (never in CI, where it must run)
import {existsSync} from "node:fs";
import {execFileSync} from "node:child_process";

const CHROMIUM = process.env.PULSEBOOK_CHROMIUM ?? "/usr/bin/chromium";
const PACKAGES = ["chromium", "libegl1", "libegl-mesa0", "libgles2", "libgl1-mesa-dri"];

const installed = (pkg) => {
  try {
    return execFileSync("dpkg-query", ["-W", "-f=${Status}", pkg], {encoding: "utf8", stdio: ["ignore", "pipe", "ignore"]}).includes("install ok installed");
  } catch {
    return false;
  }
};
const root = process.getuid?.() === 0;
const sudo = !root && (() => { try { execFileSync("sudo", ["-n", "true"]); return true; } catch { return false; } })();
if (root) PACKAGES.push("slurm-wlm", "munge");
const missing = PACKAGES.filter((p) => !(p === "chromium" && process.env.PULSEBOOK_CHROMIUM ? existsSync(CHROMIUM) : installed(p)));
if (missing.length === 0 && existsSync(CHROMIUM)) process.exit(0);

if (!root && !sudo) {
  console.error(`Missing for the browser and WebGPU tests: ${missing.join(" ")}. Install them (Debian: sudo apt-get install -y ${missing.join(" ")}).`);
  process.exit(1);
}
const run = (args) => execFileSync(root ? args[0] : "sudo", root ? args.slice(1) : args, {stdio: "inherit", env: {...process.env, DEBIAN_FRONTEND: "noninteractive"}});
console.error(`Installing ${missing.join(" ")} for the browser, WebGPU and Slurm tests…`);
run(["apt-get", "update", "-qq"]);
run(["apt-get", "install", "-y", "-qq", ...missing]);
if (!existsSync(CHROMIUM)) {
  console.error(`apt-get finished but ${CHROMIUM} is still missing`);
  process.exit(1);
}
