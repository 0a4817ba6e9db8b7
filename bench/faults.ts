// Cluster faults with a measured recovery: runs each scenario module of bench/faults/ (a file exporting
// `name` and `run(): Promise<object>`) one after the other and prints one JSON object {name: result, ...}.
// Progress goes to stderr. Run: npm run bench:faults [-- --only workerKill]
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

interface FaultScenario {
  readonly name: string;
  run(): Promise<object>;
}

const SCENARIO_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'faults');

async function loadScenarios(): Promise<FaultScenario[]> {
  const files = readdirSync(SCENARIO_DIR, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => entry.name)
    .sort();
  const scenarios: FaultScenario[] = [];
  for (const file of files) {
    const module = (await import(pathToFileURL(path.join(SCENARIO_DIR, file)).href)) as Partial<FaultScenario>;
    if (typeof module.name !== 'string' || typeof module.run !== 'function')
      throw new Error(`bench/faults/${file}: expected exports \`name\` (a string) and \`run\` (a function)`);
    scenarios.push({ name: module.name, run: module.run });
  }
  return scenarios;
}

const { values } = parseArgs({ options: { only: { type: 'string', multiple: true } } });
const scenarios = await loadScenarios();
const unknown = (values.only ?? []).filter((name) => !scenarios.some((s) => s.name === name));
if (unknown.length > 0)
  throw new Error(`--only ${unknown.join(', ')}: no such scenario (known: ${scenarios.map((s) => s.name).join(', ')})`);
const results: Record<string, object> = {};
for (const scenario of scenarios) {
  if (values.only && !values.only.includes(scenario.name)) continue;
  process.stderr.write(`faults: ${scenario.name}…\n`);
  // One failing scenario is reported in its place; the others still run and print.
  results[scenario.name] = await scenario.run().catch((error: unknown) => ({ error: String(error) }));
}
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
if (Object.values(results).some((result) => 'error' in result)) process.exitCode = 1;
