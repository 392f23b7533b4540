// Generated from schemas/ by `nox -s codegen` (tools/typescript/generate.mjs). Do not edit.
export declare const PATTERN_TITLES: Readonly<Record<string, string>>;
export declare const PATTERN_WORDS: Readonly<Record<string, string>>;
