// A `pulsebook` process started ahead of its kill trial (test/support/killTrials.ts): it loads
// the CLI as bin/pulsebook.mjs does, says "ready" over IPC, and runs the one command line it is
// sent. Kill moments are then drawn within the command's own run, not within Node's and tsx's
// start-up, where a kill tests nothing; and the next trial's runner starts while this one runs.
import {register} from "tsx/esm/api";

register();
await import("../../data-loaders/hooks/registerDependenciesAsIs.mjs");
const {main} = await import("../../data-loaders/cli/main.ts");
process.once("message", async (argv) => {
  process.exitCode = await main(argv);
  process.disconnect();
});
process.send("ready");
