#!/usr/bin/env node
// @oclif/core checks, as it loads, that Node satisfies its own engines (>= 18) with semver;
// caravan's engines (package.json) are stricter, so the check can never fail here. It is
// switched off for that import only.
const skipCheck = process.env.OCLIF_DISABLE_ENGINE_WARNING === undefined
if (skipCheck) process.env.OCLIF_DISABLE_ENGINE_WARNING = '1'
// The build's one-file bundle of @oclif/core (scripts/bundle-oclif.mjs), which the compiled
// commands import too.
const {execute} = await import('../dist/oclif-core.js')
if (skipCheck) delete process.env.OCLIF_DISABLE_ENGINE_WARNING

await execute({dir: import.meta.url})
