// What a failed validation reports: every violation, each with the JSON pointer of the value at fault.
import { wireProblem } from "./wire.js";

/** One violation: where in the instance (a JSON pointer, "" for the root), which keyword, and why. */
export interface Violation {
  pointer: string;
  keyword: string;
  message: string;
}

/** The verdict of `validate`: `valid` is true exactly when `errors` is empty. */
export interface ValidationResult {
  valid: boolean;
  errors: Violation[];
}

/** An error as the ahead-of-time compiled ajv validators report it. */
export interface CompiledError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/** An ahead-of-time compiled ajv validator: a verdict, and `errors` set when it is false. */
export interface CompiledValidator {
  (data: unknown): boolean;
  errors?: CompiledError[] | null;
}

/** The verdict of a compiled validator on `instance`: first whether it is JSON at all (wire.ts,
 * which also bounds the depth so that no compiled validator can overflow the stack). */
export function passes(validator: CompiledValidator, instance: unknown): boolean {
  return wireProblem(instance) === null && validator(instance);
}

/** The verdict of a compiled validator on `instance`, with every violation. */
export function check(validator: CompiledValidator, instance: unknown): ValidationResult {
  const problem = wireProblem(instance);
  if (problem !== null) return { valid: false, errors: [problem] };
  return validator(instance) ? { valid: true, errors: [] } : { valid: false, errors: violations(validator.errors) };
}

function violations(errors: readonly CompiledError[] | null | undefined): Violation[] {
  return (errors ?? []).map((error) => ({
    pointer: error.instancePath,
    keyword: error.keyword,
    message: describe(error),
  }));
}

// ajv's messages leave out what the reader needs most for these two keywords.
function describe(error: CompiledError): string {
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
