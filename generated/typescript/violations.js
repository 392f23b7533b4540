// Generated from schemas/ by `nox -s codegen` (tools/typescript/generate.mjs). Do not edit.
// What a failed validation reports: every violation, each with the JSON pointer of the value at fault.
import * as messages from "./messages.js";
import { wireProblem } from "./wire.js";
/** The verdict of a compiled validator on `instance`: first whether it is JSON at all (wire.ts,
 * which also bounds the depth so that no compiled validator can overflow the stack). */
export function passes(validator, instance) {
    return wireProblem(instance) === null && validator(instance);
}
/** The verdict of a compiled validator on `instance`, with every violation. */
export function check(validator, instance) {
    const problem = wireProblem(instance);
    if (problem !== null)
        return { valid: false, errors: [problem] };
    return validator(instance) ? { valid: true, errors: [] } : { valid: false, errors: violations(validator.errors, instance) };
}
// Said by a pattern's message when the same string also misses its pattern: one problem, one violation.
const SAID_BY_PATTERN = new Set(["minLength", "maxLength", "format"]);
function escape(key) {
    return key.replaceAll("~", "~0").replaceAll("/", "~1");
}
function at(instance, pointer) {
    let value = instance;
    for (const part of pointer.split("/").slice(1)) {
        value = value[part.replaceAll("~1", "/").replaceAll("~0", "~")];
    }
    return value;
}
function violation(error, instance) {
    const { keyword, params, instancePath: pointer } = error;
    const limit = params.limit;
    switch (keyword) {
        case "required":
            return { pointer: `${pointer}/${escape(String(params.missingProperty))}`, keyword, message: messages.REQUIRED };
        case "additionalProperties":
            return { pointer: `${pointer}/${escape(String(params.additionalProperty))}`, keyword, message: messages.UNKNOWN };
        case "pattern":
            return { pointer, keyword, message: messages.pattern(String(params.pattern), String(at(instance, pointer))) };
        case "type":
            return { pointer, keyword, message: messages.mustBeType(params.type) };
        case "enum":
            return { pointer, keyword, message: messages.mustBeOneOf(params.allowedValues) };
        case "const":
            return { pointer, keyword, message: messages.mustBeOneOf([params.allowedValue]) };
        case "minimum":
            return { pointer, keyword, message: `must be at least ${messages.number(limit)}` };
        case "maximum":
            return { pointer, keyword, message: `must be at most ${messages.number(limit)}` };
        case "exclusiveMinimum":
            return { pointer, keyword, message: `must be greater than ${messages.number(limit)}` };
        case "exclusiveMaximum":
            return { pointer, keyword, message: `must be less than ${messages.number(limit)}` };
        case "minLength":
            return { pointer, keyword, message: messages.length(limit, true) };
        case "maxLength":
            return { pointer, keyword, message: messages.length(limit, false) };
        case "minItems":
            return { pointer, keyword, message: messages.items(limit) };
        case "format":
            return { pointer, keyword, message: `not a valid ${String(params.format)}` };
        default:
            return { pointer, keyword, message: error.message ?? `fails ${keyword}` };
    }
}
/** One violation per problem, in the Python binding's words and order (by pointer, then message). */
function violations(errors, instance) {
    const all = errors ?? [];
    const patterned = new Set(all.filter((e) => e.keyword === "pattern").map((e) => e.instancePath));
    const seen = new Map();
    for (const error of all) {
        if (SAID_BY_PATTERN.has(error.keyword) && patterned.has(error.instancePath))
            continue;
        const found = violation(error, instance);
        seen.set(`${found.pointer}\u0000${found.message}`, found);
    }
    return [...seen.values()].sort((a, b) => compare(a.pointer, b.pointer) || compare(a.message, b.message));
}
// Code point order, as Python sorts strings.
function compare(a, b) {
    const x = [...a].map((c) => c.codePointAt(0) ?? 0);
    const y = [...b].map((c) => c.codePointAt(0) ?? 0);
    for (let i = 0; i < Math.min(x.length, y.length); i++)
        if (x[i] !== y[i])
            return x[i] - y[i];
    return x.length - y.length;
}
