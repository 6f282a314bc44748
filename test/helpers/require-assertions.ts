import {beforeEach, expect} from 'vitest'

/**
 * Every test must check something: a test that ends without one assertion fails. Loaded
 * for every file through vitest.config.ts's setupFiles.
 */
beforeEach(() => {
  expect.hasAssertions()
})
