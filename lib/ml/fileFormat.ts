// The check every versioned Pulsebook model document starts with: a JSON object of the right
// `format` and a `formatVersion` this build reads. Returns the problem in words, or null.

export function formatProblem(doc: unknown, format: string, version: number): string | null {
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) return "not a model file (expected a JSON object)";
  const o = doc as {format?: unknown; formatVersion?: unknown};
  if (o.format !== format) return `format is ${JSON.stringify(o.format)}, expected "${format}"`;
  if (o.formatVersion !== version) return `format version ${JSON.stringify(o.formatVersion)} is not supported (this Pulsebook reads version ${version})`;
  return null;
}
