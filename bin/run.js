#!/usr/bin/env node
// @oclif/core checks, as it loads, that Node satisfies its own engines (>= 18) with semver,
// whose ~50 modules cost ~7 ms of every start; caravan's engines (package.json) are stricter,
// so the check can never fail here. It is switched off for that import only.
const skipCheck = process.env.OCLIF_DISABLE_ENGINE_WARNING === undefined
if (skipCheck) process.env.OCLIF_DISABLE_ENGINE_WARNING = '1'
const {execute} = await import('@oclif/core')
if (skipCheck) delete process.env.OCLIF_DISABLE_ENGINE_WARNING

await execute({dir: import.meta.url})
