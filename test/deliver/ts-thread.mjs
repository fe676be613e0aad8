// Runs a TypeScript module of src/ as a worker thread's main module, so a test can start the real
// delivery thread without a build: module hooks compile each .ts file with esbuild as it loads.
import { register } from "node:module";

register("./ts-hooks.mjs", import.meta.url);
await import(process.argv.at(-1));
