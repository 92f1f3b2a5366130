// One error type for every problem with a user's file, so callers (CLI, loaders, pages) can
// show "file · dataset: problem" instead of a stack trace from inside HDF5 or Parquet.

export class DataFileError extends Error {
  readonly file: string;
  readonly dataset: string | undefined;
  readonly problem: string;

  /** `options.cause`: the library's original error, kept for --debug. */
  constructor(file: string, problem: string, dataset?: string, options?: {cause?: unknown}) {
    super(`${file}${dataset ? ` [${dataset}]` : ""}: ${problem}`, options);
    this.name = "DataFileError";
    this.file = file;
    this.dataset = dataset;
    this.problem = problem;
  }
}
