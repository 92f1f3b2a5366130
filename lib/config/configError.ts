// The error of a bad processing config, in a module of its own: the pipeline's stages throw it
// (an empty selection names its key), and their source-derived versions should not change
// when the config parser (processConfig.ts) does.

/** A bad config: the message names the file and the key path. */
export class ConfigError extends Error {
  constructor(readonly file: string, readonly path: string, detail: string) {
    super(`${file}: ${path ? `${path} ` : ""}${detail}`);
    this.name = "ConfigError";
  }
}
