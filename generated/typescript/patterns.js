// Generated from schemas/ by `nox -s codegen` (tools/typescript/generate.mjs). Do not edit.
// Which patterns are diagnosed (by the title of their schema), and the words of every other one.
export const PATTERN_TITLES = {
    "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$": "RunIdentifier",
    "^(?:[0-9]{4}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29)T(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,9})?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])|23:59:60(?:\\.[0-9]{1,9})?(?:Z|[+-]00:00))$": "Timestamp"
};
export const PATTERN_WORDS = {
    "^[0-9a-f]{40,64}$": "not a git object name (40 to 64 lower-case hexadecimal digits)",
    "^[0-9a-f]{64}$": "not a SHA-256 digest (64 lower-case hexadecimal digits)",
    "^[1-9][0-9]*\\.patch$": "not a checkpoint patch name (<seq>.patch)",
    "^[0-7]{6}$": "not a git file mode (six octal digits)",
    "^[A-Za-z0-9+/]*={0,2}$": "not base64",
    "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}:event:[0-9]{4,}$": "not an event id (<runId>:event:<four or more digits>)",
    "^[^=]+=": "not KEY=VALUE"
};
