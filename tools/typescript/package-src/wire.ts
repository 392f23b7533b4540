// What every instance must be before any schema applies (schemas/README.md, "What no schema can state"):
// I-JSON as the runner writes it. The Python validators apply the same rules, so both languages
// give one verdict on values JSON text cannot carry. Integers beyond 2^53 cannot be checked here:
// JSON.parse has already rounded them.
import type { Violation } from "./violations.js";

/** The deepest nesting of arrays and objects an instance may have. */
export const MAX_DEPTH = 254;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function escape(key: string): string {
  return key.replaceAll("~", "~0").replaceAll("/", "~1");
}

function problem(pointer: string, message: string): Violation {
  return { pointer, keyword: "i-json", message };
}

/** The first way `instance` is not a JSON value as the contracts allow, in document order, or null. */
export function wireProblem(instance: unknown): Violation | null {
  const stack: [string, unknown, number][] = [["", instance, 0]];
  while (stack.length > 0) {
    const [pointer, value, depth] = stack.pop()!;
    if (value === null || typeof value === "boolean") continue;
    if (typeof value === "number") {
      if (!Number.isFinite(value)) return problem(pointer, "not a JSON number (NaN and Infinity are not)");
    } else if (typeof value === "string") {
      if (LONE_SURROGATE.test(value)) return problem(pointer, "string holds a lone surrogate (not valid Unicode)");
    } else if (typeof value === "object") {
      if (depth + 1 > MAX_DEPTH) return problem(pointer, `nested deeper than ${MAX_DEPTH} arrays and objects`);
      const items: [string, unknown][] = [];
      if (Array.isArray(value)) {
        value.forEach((item, index) => items.push([`${pointer}/${index}`, item]));
      } else {
        for (const [key, item] of Object.entries(value)) {
          if (LONE_SURROGATE.test(key)) return problem(pointer, "object key holds a lone surrogate");
          items.push([`${pointer}/${escape(key)}`, item]);
        }
      }
      for (let i = items.length - 1; i >= 0; i--) stack.push([items[i][0], items[i][1], depth + 1]);
    } else {
      return problem(pointer, `a ${typeof value} is not a JSON value`);
    }
  }
  return null;
}
