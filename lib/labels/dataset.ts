// Which data set a feature table describes, as the key labels are stored under. Labels name
// records of a raw file (event, channel), so the key is that file's: its name and the hash of
// its first MiB from the table's provenance (`pulsebook.input`, data-loaders/provenance.ts).
// Tables without provenance fall back to their own name and row count.

export function datasetId(metadata: ReadonlyMap<string, string>, fallbackName: string, rows: number): string {
  const input = metadata.get("pulsebook.input");
  if (input) {
    try {
      const {path, sha256_first_MiB} = JSON.parse(input) as {path?: string; sha256_first_MiB?: string};
      if (path && sha256_first_MiB) return `${path.split(/[\\/]/).pop()}#${sha256_first_MiB.slice(0, 16)}`;
    } catch {
      // Unreadable provenance: identify the table itself instead.
    }
  }
  return `${fallbackName}#${rows}rows`;
}
