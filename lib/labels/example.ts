// Two example analysts for a run that has true labels (the simulated demo) and no labels/ files
// yet, so that the agreement page shows something real. Documented perturbation, seeded:
//   example-A labels each truly labelled record with probability 0.9 and then gives a wrong
//             class (uniform among the run's other true classes) with probability 0.08;
//   example-B the same with probabilities 0.8 and 0.15.
// Each record draws three uniforms per author (labelled?, wrong?, which wrong class) in table
// order, from the author's own stream (Rng(seed)), so the labels depend only on the table.

import {Rng} from "../math/random.js";
import type {AuthorLabels} from "./agreement.js";

export const EXAMPLE_ANALYSTS = [
  {author: "example-A", seed: 1, share: 0.9, wrong: 0.08},
  {author: "example-B", seed: 2, share: 0.8, wrong: 0.15}
] as const;

export const EXAMPLE_TIME = "2026-01-01T00:00:00.000Z";
export const EXAMPLE_NOTE = "example: simulated analyst (lib/labels/example.ts)";

/** The example analysts' labels of the records with a true label (label ≠ 0). */
export function exampleAuthors(truth: {event: ArrayLike<number>; channel: ArrayLike<number>; label: ArrayLike<number>}): AuthorLabels[] {
  const classes = [...new Set(Array.from(truth.label).filter((l) => l !== 0))].sort((a, b) => a - b);
  return EXAMPLE_ANALYSTS.map(({author, seed, share, wrong}) => {
    const rng = new Rng(seed);
    const entries = [];
    for (let i = 0; i < truth.label.length; ++i) {
      const label = truth.label[i];
      if (!label) continue;
      const [u1, u2, u3] = [rng.uniform(), rng.uniform(), rng.uniform()];
      if (u1 >= share) continue;
      const others = classes.filter((c) => c !== label);
      const given = u2 < wrong && others.length ? others[Math.floor(u3 * others.length)] : label;
      entries.push({event: truth.event[i], channel: truth.channel[i], label: given, author, time: EXAMPLE_TIME, note: EXAMPLE_NOTE});
    }
    return {author, entries};
  });
}
