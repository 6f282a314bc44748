// Print vitest's JSON report as the one closing line CI reads: "N passed, N failed[, N skipped]".
import {existsSync, readFileSync} from 'node:fs'

const file = process.argv[2]
if (!file || !existsSync(file)) {
  console.log('0 passed, 1 failed')
  console.error(`no test report at ${file}: the test run did not complete`)
  process.exit(1)
}
const report = JSON.parse(readFileSync(file, 'utf8'))
let passed = 0
let failed = 0
let skipped = 0
for (const suite of report.testResults ?? []) {
  // A file that failed to load has no assertions but must count as a failure.
  if (suite.status === 'failed' && (suite.assertionResults ?? []).length === 0) failed++
  for (const test of suite.assertionResults ?? []) {
    if (test.status === 'passed') passed++
    else if (test.status === 'failed') failed++
    else skipped++
  }
}
const line = `${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : '')
console.log(line)
process.exit(failed > 0 || passed === 0 ? 1 : 0)
