// Generated from schemas/ by `nox -s codegen` (ts/generate.mjs). Do not edit.
// What a failed validation reports: every violation, each with the JSON pointer of the value at fault.
import { wireProblem } from "./wire.js";
// A document nested deeper than the call stack allows (some thousands of levels) makes a compiled
// validator overflow the stack: it is refused with this violation rather than thrown at the caller.
const TOO_DEEP = { pointer: "", keyword: "depth", message: "is nested too deeply to validate" };
/** The verdict of a compiled validator on `instance`. */
export function passes(validator, instance) {
    if (wireProblem(instance) !== null)
        return false;
    try {
        return validator(instance);
    }
    catch (error) {
        if (error instanceof RangeError)
            return false;
        throw error;
    }
}
/** The verdict of a compiled validator on `instance`, with every violation. */
export function check(validator, instance) {
    const problem = wireProblem(instance);
    if (problem !== null)
        return { valid: false, errors: [problem] };
    try {
        return validator(instance) ? { valid: true, errors: [] } : { valid: false, errors: violations(validator.errors) };
    }
    catch (error) {
        if (error instanceof RangeError)
            return { valid: false, errors: [{ ...TOO_DEEP }] };
        throw error;
    }
}
function violations(errors) {
    return (errors ?? []).map((error) => ({
        pointer: error.instancePath,
        keyword: error.keyword,
        message: describe(error),
    }));
}
// ajv's messages leave out what the reader needs most for these two keywords.
function describe(error) {
    const message = error.message ?? `fails ${error.keyword}`;
    const { additionalProperty, allowedValues } = error.params;
    if (error.keyword === "additionalProperties" && typeof additionalProperty === "string") {
        return `${message}: ${JSON.stringify(additionalProperty)}`;
    }
    if (error.keyword === "enum" && Array.isArray(allowedValues)) {
        return `${message}: ${allowedValues.map((value) => JSON.stringify(value)).join(", ")}`;
    }
    return message;
}
