// Generated from schemas/ by `nox -s codegen` (tools/typescript/generate.mjs). Do not edit.
// What a failed validation reports: every violation, each with the JSON pointer of the value at fault.
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
    return validator(instance) ? { valid: true, errors: [] } : { valid: false, errors: violations(validator.errors) };
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
