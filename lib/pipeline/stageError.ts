// The error of a stage that failed, in a module of its own: the CLI's error boundary knows it
// without loading the chain's runner (lineage, hashing) for every command.

/** A stage that failed: its name and what it threw (`cause`), for the caller to say where. */
export class StageError extends Error {
  constructor(readonly stage: string, readonly cause: unknown, message = `stage ${stage}: ${cause instanceof Error ? cause.message : String(cause)}`) {
    super(message);
    this.name = "StageError";
  }
}
