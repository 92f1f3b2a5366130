// The process stages with their source-derived versions (docs/pipeline.md), for pages that
// plan a chain or compare lineage hashes with Node's.
import {stageManifest} from "../../data-loaders/pipeline/manifest.js";

process.stdout.write(JSON.stringify(stageManifest()));
