// What a violation says, in words a consumer understands; never a regular expression. The Python
// binding says exactly the same (src/baa_conductor/_messages.py), and the fixtures' expected
// violations hold both to it. Timestamps and ids are diagnosed ("not an RFC 3339 date-time:
// month 13"); every other pattern has its words in patterns.js (generated).
import { PATTERN_TITLES, PATTERN_WORDS } from "./patterns.js";

const ARTICLE: Readonly<Record<string, string>> = {
  integer: "an integer", number: "a number", string: "a string", object: "an object",
  array: "an array", boolean: "true or false", null: "null",
};

/** A value as JSON text. */
export function quoted(value: unknown): string {
  return JSON.stringify(value);
}

export function mustBeType(types: string | readonly string[]): string {
  let names = typeof types === "string" ? [types] : [...types];
  if (names.includes("number") && names.includes("integer")) names = names.filter((n) => n !== "integer");
  return `must be ${names.map((n) => ARTICLE[n] ?? n).join(" or ")}`;
}

export function mustBeOneOf(values: readonly unknown[]): string {
  if (values.length === 1) return `must be ${quoted(values[0])}`;
  return `must be one of ${values.map(quoted).join(", ")}`;
}

export function length(limit: number, atLeast: boolean): string {
  if (atLeast && limit === 1) return "must not be empty";
  return `must be ${atLeast ? "at least" : "at most"} ${limit} ${limit === 1 ? "character" : "characters"} long`;
}

/** A bound as a number; the bound of every integer says what it is. */
export function number(limit: number): string {
  if (limit === Number.MAX_SAFE_INTEGER) return `${limit} (2^53 - 1, the largest integer JavaScript reads exactly)`;
  return String(limit);
}

export function items(limit: number): string {
  return `must have at least ${limit} item${limit === 1 ? "" : "s"}`;
}

export const REQUIRED = "required property is missing";
export const UNKNOWN = "unknown property";

// Timestamps: RFC 3339 as Date.prototype.toISOString writes it (schemas/timestamp.schema.json).
const SHAPE = /(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-](\d{2}):(\d{2}))?/;
const WHOLE = new RegExp(`^(?:${SHAPE.source})$`);
const PREFIX = new RegExp(`^(?:${SHAPE.source})`);
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
  "September", "October", "November", "December"];

function leap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function daysIn(year: number, month: number): number {
  if (month === 2) return leap(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function shapeProblem(text: string): string {
  if (WHOLE.test(text.replaceAll("t", "T").replaceAll("z", "Z"))) return "T and Z must be upper-case";
  if (WHOLE.test(text.replace(" ", "T"))) return "the date and the time must be joined by T";
  const prefix = PREFIX.exec(text);
  if (prefix !== null) {
    const after = prefix[8] !== undefined ? "the time zone" : "the time";
    return `unexpected ${quoted(text.slice(prefix[0].length))} after ${after}`;
  }
  return "expected YYYY-MM-DDThh:mm:ss, a fraction if any, then Z or ±hh:mm";
}

/** Why `text` is not a timestamp, in a few words (the first thing wrong). */
export function timestampProblem(text: string): string {
  const match = WHOLE.exec(text);
  if (match === null) return shapeProblem(text);
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  const [fraction, zone, zoneHour, zoneMinute] = match.slice(7, 11);
  if (zone === undefined) return "no time zone (Z or ±hh:mm)";
  if (fraction !== undefined && fraction.length > 9) return "more than 9 digits of fraction";
  if (month < 1 || month > 12) return `month ${match[2]}`;
  if (day < 1 || day > daysIn(year, month)) return `${MONTHS[month - 1]} ${match[1]} has no day ${match[3]}`;
  if (hour > 23) return `hour ${match[4]}`;
  if (minute > 59) return `minute ${match[5]}`;
  if (zoneHour !== undefined && Number(zoneHour) > 23) return `offset hour ${zoneHour}`;
  if (zoneMinute !== undefined && Number(zoneMinute) > 59) return `offset minute ${zoneMinute}`;
  if (second > 60) return `second ${match[6]}`;
  return "a leap second only as 23:59:60 in UTC (Z, +00:00 or -00:00)";
}

/** Why `text` is not an id (task, step or run), in a few words. */
export function identifierProblem(text: string): string {
  if (text === "") return "empty";
  const bad = [...text].find((c) => !/^[A-Za-z0-9._-]$/.test(c));
  if (bad !== undefined) return `${quoted(bad)} is not allowed (only ASCII letters, digits, ".", "_" and "-")`;
  if (!/^[A-Za-z0-9]/.test(text)) return "must start with an ASCII letter or digit";
  return `longer than 128 characters (${[...text].length})`;
}

/** The message for a string that does not match `pattern`. */
export function pattern(pattern: string, value: string): string {
  const title = PATTERN_TITLES[pattern];
  if (title === "Timestamp") return `not an RFC 3339 date-time: ${timestampProblem(value)}`;
  if (title === "RunIdentifier") return `not a valid id: ${identifierProblem(value)}`;
  return PATTERN_WORDS[pattern] ?? "not in the form this field takes";
}
