// The processed run's events as a dataset of parts (its shards when `pulsebook process --shard`
// made it, else its one table): per part the partition values, byte range in
// processed-parts.bin and rows, for the page to fetch only the parts a query needs.
// pulsebook-depends: @run
import {runProcessedParts} from "../../data-loaders/run.js";

process.stdout.write(JSON.stringify((await runProcessedParts()).manifest));
