#!/usr/bin/env node
// Generated from schemas/ by `nox -s codegen` (tools/typescript/generate.mjs). Do not edit.
// baa-contracts-validate: validates many instances in one process, for pipelines and for other
// languages' tests. Reads JSON lines {"schema": <name>, "instance": <value>} on stdin and writes one
// line per input line: `true` or `false`, or with --errors the JSON of validate(schema, instance).
// A line that is not such an object is a usage error: its number and the reason go to stderr, exit 2.
import { createInterface } from "node:readline";
import { isSchemaName, schemaNames, validate } from "./index.js";
const USAGE = "usage: baa-contracts-validate [--errors] < lines of {\"schema\": name, \"instance\": value}";
function fail(message) {
    process.stderr.write(`baa-contracts-validate: ${message}\n`);
    process.exit(2);
}
function parse(line, number) {
    let request;
    try {
        request = JSON.parse(line);
    }
    catch (error) {
        fail(`line ${number}: not JSON (${error.message})`);
    }
    if (typeof request !== "object" || request === null || Array.isArray(request)) {
        fail(`line ${number}: expected an object {"schema": name, "instance": value}`);
    }
    const { schema } = request;
    if (!isSchemaName(schema)) {
        fail(`line ${number}: schema ${JSON.stringify(schema)} is not one of: ${schemaNames.join(", ")}`);
    }
    if (!("instance" in request))
        fail(`line ${number}: "instance" is missing`);
    return { schema, instance: request.instance };
}
const args = process.argv.slice(2);
if (args.includes("-h") || args.includes("--help")) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
}
const unknown = args.filter((arg) => arg !== "--errors");
if (unknown.length > 0)
    fail(`unknown argument ${JSON.stringify(unknown[0])}\n${USAGE}`);
const withErrors = args.includes("--errors");
let number = 0;
for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    number += 1;
    if (line.trim() === "")
        continue;
    const { schema, instance } = parse(line, number);
    const result = validate(schema, instance);
    process.stdout.write(withErrors ? `${JSON.stringify(result)}\n` : `${result.valid}\n`);
}
