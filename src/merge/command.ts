// The CLI imports the merge command from here (lazy import in cli.ts); the logic lives in merge.ts.
export { mergeCommand, type MergeCommandIO } from "./merge.js";
