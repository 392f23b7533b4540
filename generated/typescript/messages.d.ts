// Generated from schemas/ by `nox -s codegen` (tools/typescript/generate.mjs). Do not edit.
/** A value as JSON text. */
export declare function quoted(value: unknown): string;
export declare function mustBeType(types: string | readonly string[]): string;
export declare function mustBeOneOf(values: readonly unknown[]): string;
export declare function length(limit: number, atLeast: boolean): string;
/** A bound as a number; the bound of every integer says what it is. */
export declare function number(limit: number): string;
export declare function items(limit: number): string;
export declare const REQUIRED = "required property is missing";
export declare const UNKNOWN = "unknown property";
/** Why `text` is not a timestamp, in a few words (the first thing wrong). */
export declare function timestampProblem(text: string): string;
/** Why `text` is not an id (task, step or run), in a few words. */
export declare function identifierProblem(text: string): string;
/** The message for a string that does not match `pattern`. */
export declare function pattern(pattern: string, value: string): string;
