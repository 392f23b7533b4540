// ajv as a consumer in another project uses it: only the schema files of a directory, compiled at
// run time in strict mode with ajv-formats, exactly as schemas/README.md shows. Nothing of the
// package (no wire rules, no compiled validators). tests/test_agreement.py compares its verdicts
// with the package's.
//   node independent-ajv.mjs <schemas dir> < lines of {"schema": name, "instance": value}
// writes `true` or `false` per line.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const directory = process.argv[2];
if (!directory) {
  process.stderr.write("usage: node independent-ajv.mjs <schemas dir> < JSON lines\n");
  process.exit(2);
}

const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
addFormats.default(ajv);
ajv.addKeyword("x-version");
const ids = new Map();
for (const file of readdirSync(directory).filter((f) => f.endsWith(".schema.json"))) {
  const schema = JSON.parse(readFileSync(join(directory, file), "utf8"));
  ajv.addSchema(schema);
  ids.set(file.slice(0, -".schema.json".length), schema.$id);
}

for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (line === "") continue;
  const { schema, instance } = JSON.parse(line);
  const validate = ajv.getSchema(ids.get(schema));
  if (!validate) throw new Error(`no schema ${JSON.stringify(schema)} in ${directory}`);
  let verdict;
  try {
    verdict = validate(instance);
  } catch (error) {
    verdict = `error: ${error.message}`;
  }
  process.stdout.write(`${verdict}\n`);
}
