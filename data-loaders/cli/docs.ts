// The command reference of docs/cli.md, generated from the table: the region between the two
// markers below is rewritten by `node scripts/update-cli-docs.mjs` (and printed by
// `pulsebook help --markdown`); the prose around it is written by hand.
import {defaultText, leaves, optionLabel, synopsis} from "./help.js";
import type {Entry} from "./spec.js";

export const BEGIN = "<!-- commands:begin -->";
export const END = "<!-- commands:end -->";
export const REGENERATE = "node scripts/update-cli-docs.mjs";

const cell = (s: string) => s.replace(/\|/g, "\\|");

/** One section per command: usage line, summary, options with defaults. */
export function commandsMarkdown(entries: readonly Entry[]): string {
  const sections = leaves(entries).map(({path, command}) => {
    const rows = Object.entries(command.options).map(([name, o]) =>
      `| \`${cell(optionLabel(name, o))}\` | ${o.required ? "required" : cell(defaultText(o) ?? "")} | ${cell(o.summary)} |`);
    return [
      `### \`pulsebook ${path.join(" ")}\``,
      "",
      command.summary,
      "",
      "```",
      ...synopsis(path, command, 96),
      "```",
      ...(rows.length ? ["", "| option | default | |", "|---|---|---|", ...rows] : [])
    ].join("\n");
  });
  return [`<!-- Generated from data-loaders/cli/commands.ts; edit the table there and run \`${REGENERATE}\`. -->`, "", ...sections.flatMap((s) => [s, ""])].join("\n").trimEnd();
}

/** `doc` with the region between the markers replaced by `body`. */
export function withCommandsSection(doc: string, body: string, file = "docs/cli.md"): string {
  const a = doc.indexOf(BEGIN), b = doc.indexOf(END);
  if (a < 0 || b < a) throw new Error(`${file}: no ${BEGIN} … ${END} region`);
  return `${doc.slice(0, a + BEGIN.length)}\n${body}\n${doc.slice(b)}`;
}
