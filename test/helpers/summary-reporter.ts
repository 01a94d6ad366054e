// Prints one plain closing line, `N passed, N failed, N skipped`, after vitest's own summary, so
// that CI tooling which reads a run's last line knows how many tests ran.
import type {Reporter, TestModule} from 'vitest/node'

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0
    let failed = 0
    let skipped = 0
    for (const mod of testModules) {
      for (const test of mod.children.allTests()) {
        const state = test.result().state
        if (state === 'passed') passed++
        else if (state === 'failed') failed++
        else skipped++
      }
    }
    // Modules that failed to load count as failures even though they hold no test cases.
    failed += testModules.filter((m) => m.state() === 'failed' && [...m.children.allTests()].length === 0).length
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`)
  }
}
