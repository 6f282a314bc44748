import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, describe, expect, it, onTestFinished} from 'vitest'

import {EXIT} from '../../src/cli/exit-codes.js'
import {killAll, makeSandbox, runCli, runJson} from '../helpers/cli.js'
import {generateResponse, startFakeConvoy} from '../helpers/convoy-server.js'
import {createEndpoint} from '../helpers/fixtures.js'
import {useRelay} from '../helpers/relay.js'

// `caravan event-types …` run as users run it (the built bin/run.js): against an in-process
// Caravan relay, and against a fake Convoy that checks every request against Convoy's spec.

afterAll(() => killAll())
const SLOW = {timeout: 120_000}

const SCHEMA = {type: 'object', properties: {amount: {type: 'integer'}}, required: ['amount']}
const OPENAPI = {
  openapi: '3.1.0',
  webhooks: {
    'order.shipped': {
      post: {
        description: 'An order left the warehouse',
        tags: ['orders'],
        requestBody: {content: {'application/json': {schema: {type: 'object', required: ['order_id']}}}},
      },
    },
  },
}

function sandboxWithFiles() {
  const sandbox = makeSandbox('caravan-evtypes-')
  onTestFinished(() => sandbox.cleanup())
  const schemaFile = join(sandbox.dir, 'invoice.schema.json')
  const specFile = join(sandbox.dir, 'openapi.json')
  writeFileSync(schemaFile, JSON.stringify(SCHEMA))
  writeFileSync(specFile, JSON.stringify(OPENAPI))
  return {sandbox, schemaFile, specFile}
}

describe('caravan event-types against a Caravan relay', () => {
  it(
    'creates with a schema file, updates and deprecates by name, imports, lists; the schema then refuses events',
    SLOW,
    async () => {
      const t = await useRelay()
      const {sandbox, schemaFile, specFile} = sandboxWithFiles()
      const g = ['--gateway', t.url, '--api-key', t.key, '--project', t.projectId]
      const opts = {env: sandbox.env}

      const created = await runJson(
        [
          'event-types',
          'create',
          '--name',
          'invoice.paid',
          '--category',
          'billing',
          '--schema',
          `@${schemaFile}`,
          '--json',
          ...g,
        ],
        opts,
      )
      expect(created).toMatchObject({name: 'invoice.paid', category: 'billing', json_schema: SCHEMA})
      const [updated, imported] = await Promise.all([
        runJson(['event-types', 'update', 'invoice.paid', '--description', 'Paid in full', '--json', ...g], opts),
        runJson(['event-types', 'import', specFile, '--json', ...g], opts),
      ])
      expect(updated).toMatchObject({uid: created.uid, description: 'Paid in full', json_schema: SCHEMA})
      expect(imported).toEqual([
        expect.objectContaining({
          name: 'order.shipped',
          category: 'orders',
          json_schema: {type: 'object', required: ['order_id']},
        }),
      ])
      const deprecated = await runJson(['event-types', 'deprecate', 'order.shipped', '--json', ...g], opts)
      expect(deprecated.deprecated_at).toEqual(expect.any(String))

      const list = await runCli(['event-types', 'list', ...g], opts)
      expect(list.code, list.stderr).toBe(0)
      const lines = list.stdout.trimEnd().split('\n')
      expect(lines[0]).toMatch(/^NAME\s+CATEGORY\s+SCHEMA\s+DEPRECATED\s+DESCRIPTION$/)
      expect(lines[1]).toMatch(/^invoice\.paid\s+billing\s+yes\s+Paid in full$/)
      expect(lines[2]).toMatch(/^order\.shipped\s+orders\s+yes\s+\S.*An order left the warehouse$/)

      const project = await runJson(
        ['projects', 'update', t.projectId, '--validate-event-schemas', '--json', ...g],
        opts,
      )
      expect(project.config.validate_event_schemas).toBe(true)
      const endpointId = await createEndpoint(t)
      const bad = await runCli(
        ['events', 'send', '--type', 'invoice.paid', '--endpoint', endpointId, '--data', '{"amount":"ten"}', ...g],
        opts,
      )
      expect(bad.code).toBe(EXIT.REJECTED)
      expect(bad.stdout).toBe('')
      expect(bad.stderr).toContain(
        'data does not match the json_schema of event type invoice.paid: data.amount must be integer',
      )
      const events = await t.api('GET', t.p('/events'))
      expect(events.json.data.content).toEqual([])
    },
  )

  it(
    'names what is wrong: an unknown event type, nothing to change, a schema that is not an object',
    SLOW,
    async () => {
      const t = await useRelay()
      const {sandbox} = sandboxWithFiles()
      const g = ['--gateway', t.url, '--api-key', t.key, '--project', t.projectId]
      const [missing, nothing, notObject] = await Promise.all([
        runCli(['event-types', 'deprecate', 'nope', ...g], {env: sandbox.env}),
        runCli(['event-types', 'update', 'nope', ...g], {env: sandbox.env}),
        runCli(['event-types', 'create', '--name', 'a.b', '--schema', '[1]', ...g], {env: sandbox.env}),
      ])
      expect(missing.code).toBe(EXIT.NOT_FOUND)
      expect(missing.stderr).toContain(`no event type nope in project ${t.projectId}`)
      expect(nothing.code).toBe(EXIT.USAGE)
      expect(nothing.stderr).toContain('nothing to change: give --category, --description or --schema')
      expect(notObject.code).toBe(EXIT.USAGE)
      expect(notObject.stderr).toContain('--schema must be a JSON object')
      expect((await t.api('GET', t.p('/event-types'))).json.data).toEqual([])
    },
  )
})

describe('caravan event-types against Convoy', () => {
  it('sends requests Convoy accepts and reads its answers', SLOW, async () => {
    const {sandbox, schemaFile, specFile} = sandboxWithFiles()
    const project = '01H0JA5MEES38RRK3HTEJC647K'
    // The fake answers the list with generated types; update and deprecate address the first by uid.
    const listed = generateResponse('GET', '/v1/projects/{projectID}/event-types', {params: {projectID: project}})
    const uid = (listed.body.data as {uid: string}[])[0].uid
    const cases = [
      ['list'],
      ['create', '--name', 'invoice.paid', '--category', 'billing', '--schema', `@${schemaFile}`],
      ['update', uid, '--description', 'Paid in full', '--schema', '{"type":"object"}'],
      ['deprecate', uid],
      ['import', specFile],
    ]
    const runs = await Promise.all(
      cases.map(async (args) => {
        const convoy = await startFakeConvoy()
        try {
          const g = ['--gateway', convoy.url, '--api-key', 'CO.test.key', '--project', project]
          const result = await runCli(['event-types', ...args, '--json', ...g], {env: sandbox.env, timeoutMs: 60_000})
          return {args, result, requests: [...convoy.requests], violations: convoy.violations()}
        } finally {
          await convoy.close()
        }
      }),
    )
    for (const r of runs) {
      const where = `${r.args.join(' ')}: ${r.result.stderr}`
      expect(r.result.code, where).toBe(0)
      expect(r.violations, where).toEqual([])
      expect(() => JSON.parse(r.result.stdout), where).not.toThrow()
    }
    const ops = runs.map((r) => r.requests.map((q) => q.operation))
    expect(ops).toEqual([
      ['GET /v1/projects/{projectID}/event-types'],
      ['POST /v1/projects/{projectID}/event-types'],
      ['GET /v1/projects/{projectID}/event-types', 'PUT /v1/projects/{projectID}/event-types/{eventTypeId}'],
      ['GET /v1/projects/{projectID}/event-types', 'POST /v1/projects/{projectID}/event-types/{eventTypeId}/deprecate'],
      ['POST /v1/projects/{projectID}/event-types/import'],
    ])
    expect(runs[1].requests[0].body).toEqual({name: 'invoice.paid', category: 'billing', json_schema: SCHEMA})
    expect(runs[2].requests[1].body).toEqual({description: 'Paid in full', json_schema: {type: 'object'}})
    expect(runs[4].requests[0].body).toEqual({spec: JSON.stringify(OPENAPI)})
  })
})
