// usage: node merge-reports.mjs OUT DRIVER=REPORT.json=STATUS=SECONDS...
// Merges vitest JSON reports of the cgroup v2 boots into one file with the same top-level fields
// vitest writes (numPassedTests, numFailedTests, ..., success, testResults), plus "boots": one
// entry per boot. Exits 1 unless every boot exited 0 and every report says success.
import { readFileSync, writeFileSync } from 'node:fs';

const [out, ...specs] = process.argv.slice(2);
const counters = [
  'numTotalTestSuites',
  'numPassedTestSuites',
  'numFailedTestSuites',
  'numPendingTestSuites',
  'numTotalTests',
  'numPassedTests',
  'numFailedTests',
  'numPendingTests',
  'numTodoTests',
];
const merged = Object.fromEntries(counters.map((k) => [k, 0]));
merged.startTime = null;
merged.success = specs.length > 0;
merged.testResults = [];
merged.boots = [];
for (const spec of specs) {
  const [driver, file, status, seconds] = spec.split('=');
  const boot = { driver, status: Number(status), seconds: Number(seconds), report: true, success: false };
  let report = null;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    boot.report = false;
  }
  if (report) {
    for (const k of counters) merged[k] += report[k] ?? 0;
    if (report.startTime && (merged.startTime === null || report.startTime < merged.startTime))
      merged.startTime = report.startTime;
    for (const r of report.testResults ?? []) merged.testResults.push({ ...r, boot: driver });
    boot.success = report.success === true && boot.status === 0;
    for (const k of ['numPassedTests', 'numFailedTests', 'numPendingTests', 'numTodoTests']) boot[k] = report[k] ?? 0;
  }
  // A boot that left no report, or failed with no failed test in it (the VM died, a hook failed), is
  // one failed test of its own: otherwise the counts would not show it when another boot has failures.
  if (!boot.success && (!boot.report || (report.numFailedTests ?? 0) === 0)) {
    const why = boot.report
      ? `boot exited with status ${boot.status} and no failed test`
      : `no report (boot exited with status ${boot.status})`;
    merged.numTotalTests += 1;
    merged.numFailedTests += 1;
    merged.testResults.push({
      name: `cgroup v2 boot ${driver}`,
      status: 'failed',
      message: why,
      boot: driver,
      assertionResults: [
        { title: `boot ${driver}`, fullName: `cgroup v2 boot ${driver}`, status: 'failed', failureMessages: [why] },
      ],
    });
  }
  merged.success &&= boot.success;
  merged.boots.push(boot);
  const counts = boot.report
    ? `${boot.numPassedTests} passed, ${boot.numFailedTests} failed, ${boot.numPendingTests} skipped, ${boot.numTodoTests} todo`
    : 'no report';
  console.error(`[test:cgroup2] ${driver}: ${counts}; boot status ${boot.status}, ${boot.seconds} s`);
}
writeFileSync(out, JSON.stringify(merged) + '\n');
process.exit(merged.success ? 0 : 1);
