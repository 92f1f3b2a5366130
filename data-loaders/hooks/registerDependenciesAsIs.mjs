// Import after registering tsx: installed packages' ES modules then load without tsx's rewriting
// (see dependenciesAsIs.mjs).
import {register} from "node:module";

register("./dependenciesAsIs.mjs", import.meta.url);
