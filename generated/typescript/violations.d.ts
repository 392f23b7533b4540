// Generated from schemas/ by `nox -s codegen` (tools/typescript/generate.mjs). Do not edit.
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
export declare function passes(validator: CompiledValidator, instance: unknown): boolean;
/** The verdict of a compiled validator on `instance`, with every violation. */
export declare function check(validator: CompiledValidator, instance: unknown): ValidationResult;
