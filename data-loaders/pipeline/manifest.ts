// The stage manifest: the process stages' names, what they provide and their source-derived
// versions, as JSON, so that a page (which cannot read sources) plans a chain with
// lib/pipeline's planChain and gets the same lineage hashes as Node.

import {relative, sep} from "node:path";
import {fileURLToPath} from "node:url";
import {PROCESS_STAGES} from "../../lib/pipeline/process/index.js";
import {processStageVersions} from "../process.js";
import {ROOT} from "./sourceVersion.js";

export interface StageManifest {
  stages: {name: string; module: string; provides: readonly string[]; version: string}[];
}

export function stageManifest(): StageManifest {
  const versions = processStageVersions();
  return {
    stages: PROCESS_STAGES.map((s) => ({
      name: s.name,
      module: relative(ROOT, fileURLToPath(s.module)).split(sep).join("/"),
      provides: s.provides,
      version: versions[s.name]
    }))
  };
}
