// The package as a consumer gets it: `npm pack` generated/typescript, install the tarball into a
// scratch project, type-check that project's consumer (consumer/ and the READMEs' ts examples: tsc,
// strict, NodeNext, library declarations checked too) and run its tests on a real run made by the
// Python runner.
// BAA_PYTHON names the Python that has baa_conductor installed (default: ../.venv/bin/python).
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const python = process.env.BAA_PYTHON ?? join(root, ".venv", "bin", "python");
const tsc = join(here, "node_modules", ".bin", "tsc");
const typesNode = JSON.parse(readFileSync(join(here, "package.json"), "utf8")).devDependencies["@types/node"];

// One real run: output on both streams, a byte that is not UTF-8, exit code 3. The envelope is what
// run_step returns, as JSON.
const MAKE_RUN = `
import json, sys
from baa_conductor import envelope_dict, run_step
from baa_conductor.executors import ShellExecutor
result = run_step({
    "taskId": "T-005", "stepId": "ts", "runId": "run-1", "attempt": 1, "stepName": "ts",
    "stepKind": "shell", "workerKind": "shell", "timeoutSec": 60,
    "runtime": {"repoRoot": sys.argv[1], "worktreePath": sys.argv[1], "runsRootDir": sys.argv[1] + "/runs"},
    "command": "echo hello; printf 'caf\\\\351\\\\n'; echo warning >&2; exit 3",
}, ShellExecutor())
print(json.dumps(envelope_dict(result)))
`;

function run(command, args, options = {}) {
  console.log(`$ ${[command, ...args].map((a) => (a.includes("\n") ? "<program>" : a)).join(" ")}`);
  return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], ...options });
}

const scratch = mkdtempSync(join(tmpdir(), "baa-contracts-consumer-"));
try {
  const envelope = run(python, ["-c", MAKE_RUN, scratch]);
  writeFileSync(join(scratch, "envelope.json"), envelope);

  const [packed] = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", scratch, join(root, "generated", "typescript")]));
  console.log(`packed ${packed.filename}: ${packed.entryCount} files, ${packed.size} bytes`);

  const project = join(scratch, "consumer");
  mkdirSync(project);
  cpSync(join(here, "consumer"), project, { recursive: true });
  // The TypeScript examples of the READMEs are type-checked along with the consumer.
  for (const readme of ["README.md", join("schemas", "README.md"), join("generated", "typescript", "README.md")]) {
    const blocks = [...readFileSync(join(root, readme), "utf8").matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
    if (blocks.length === 0) throw new Error(`${readme} has no \`\`\`ts example to check`);
    blocks.forEach((block, i) => writeFileSync(join(project, "src", `${readme.replaceAll("/", "-").replace(/\.md$/, "")}-${i + 1}.ts`), block));
  }
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }, null, 2));
  const shown = { stdio: "inherit" };
  run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", join(scratch, packed.filename), `@types/node@${typesNode}`], { ...shown, cwd: project });
  run(tsc, ["-p", project], shown);
  run(process.execPath, ["--test", join(project, "dist")], {
    ...shown,
    cwd: project,
    env: { ...process.env, BAA_RUN_DIR: join(scratch, "runs", "T-005", "run-1"), BAA_ENVELOPE: join(scratch, "envelope.json") },
  });
} catch (error) {
  console.error(`${error.message}\nconsumer test failed; its files are kept in ${scratch}`);
  process.exitCode = 1;
} finally {
  if (process.exitCode !== 1) rmSync(scratch, { recursive: true, force: true });
}
