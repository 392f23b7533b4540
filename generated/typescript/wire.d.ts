// Generated from schemas/ by `nox -s codegen` (tools/typescript/generate.mjs). Do not edit.
import type { Violation } from "./violations.js";
/** The deepest nesting of arrays and objects an instance may have. */
export declare const MAX_DEPTH = 254;
/** The first way `instance` is not a JSON value as the contracts allow, in document order, or null. */
export declare function wireProblem(instance: unknown): Violation | null;
