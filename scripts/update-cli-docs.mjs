#!/usr/bin/env node
// Rewrites the generated command reference in docs/cli.md (between <!-- commands:begin --> and
// <!-- commands:end -->) from the command table, data-loaders/cli/commands.ts.
// Usage: node scripts/update-cli-docs.mjs
import {readFileSync, writeFileSync} from "node:fs";
import {register} from "tsx/esm/api";

register();
const {COMMANDS} = await import("../data-loaders/cli/commands.ts");
const {commandsMarkdown, withCommandsSection} = await import("../data-loaders/cli/docs.ts");
const path = new URL("../docs/cli.md", import.meta.url);
const before = readFileSync(path, "utf8");
const after = withCommandsSection(before, commandsMarkdown(COMMANDS));
if (after !== before) writeFileSync(path, after);
console.error(after === before ? "docs/cli.md is up to date" : "rewrote the command reference in docs/cli.md");
