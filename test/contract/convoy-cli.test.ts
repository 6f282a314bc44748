import {afterAll, describe, expect, it} from 'vitest'

import {assertBuilt, type CliResult, type Env, killAll, makeSandbox, readProfiles, runCli} from '../helpers/cli.js'
import {type Nullables, type RecordedRequest, startFakeConvoy} from '../helpers/convoy-server.js'

// Convoy as the gateway (issue 6 part 4): every management command is run — the built
// bin/run.js, as a user would — against a fake Convoy that knows only Convoy's OpenAPI spec.
// The fake checks each request against the spec (and the few rules of Convoy's validators the
// spec cannot express) and answers with responses generated from the spec's schemas. Each
// command must exit 0, print parseable --json and a sane human rendering, and cause ZERO
// contract violations. Each command also runs against answers where every nullable field is
// null, as Convoy may send them. Caravan-only features must fail with a clear message.

afterAll(() => killAll())

// Each test spawns the CLI once (~0.5 s of CPU); they run five at a time.
const SLOW = {timeout: 120_000}

it('runs against the built CLI (npm run build first)', () => expect(assertBuilt).not.toThrow())

const PROJECT = '01H0JA5MEES38RRK3HTEJC647K'
const KEY = 'CO.test.key'
const ID = '01H0JATTVCXZK8FRDX1M1JN3QY'
const ID2 = '01H0JB0CVGGRA0B7B0Y4Q5E7XN'
const ORG = '01H0J9ZW5ME2JX4Q2BT1E2HWPH'

interface Run {
  result: CliResult
  requests: RecordedRequest[]
  violations: string[]
  probes: string[]
  /** The profiles file, read before the sandbox went away (login). */
  profiles?: ReturnType<typeof readProfiles>
}

interface RunOptions {
  nullables?: Nullables
  json?: boolean
  input?: string
  /** Give gateway, key and project as CARAVAN_* env vars instead of flags. */
  viaEnv?: boolean
  /** No --gateway/--api-key/--project at all (login brings its own). */
  bare?: boolean
  readProfiles?: boolean
}

/** One command against its own fresh fake Convoy and sandbox. */
async function run(args: string[] | ((url: string) => string[]), opts: RunOptions = {}): Promise<Run> {
  const convoy = await startFakeConvoy({nullables: opts.nullables})
  const sandbox = makeSandbox('caravan-convoy-')
  try {
    const env: Env = {...sandbox.env}
    const gateway = ['--gateway', convoy.url, '--api-key', KEY, '--project', PROJECT]
    if (opts.viaEnv) Object.assign(env, {CARAVAN_GATEWAY: convoy.url, CARAVAN_API_KEY: KEY, CARAVAN_PROJECT: PROJECT})
    const argv = [
      ...(typeof args === 'function' ? args(convoy.url) : args),
      ...(opts.viaEnv || opts.bare ? [] : gateway),
      ...(opts.json ? ['--json'] : []),
    ]
    // Generous: a busy CI machine runs many of these at once.
    const result = await runCli(argv, {env, input: opts.input, timeoutMs: 60_000})
    return {
      result,
      requests: [...convoy.requests],
      violations: convoy.violations(),
      probes: [...convoy.probes],
      profiles: opts.readProfiles ? readProfiles(sandbox.configFile) : undefined,
    }
  } finally {
    await convoy.close()
    sandbox.cleanup()
  }
}

const show = (r: Run) =>
  `exit ${r.result.code}\nstdout: ${r.result.stdout}\nstderr: ${r.result.stderr}\nrequests: ${JSON.stringify(
    r.requests.map((q) => [q.method, q.url, q.status, q.problems]),
    null,
    1,
  )}`

/** The spec operations a run called, in order. */
const ops = (r: Run) => r.requests.map((q) => q.operation)
const body = (r: Run, i: number) => r.requests[i]?.body as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
const query = (r: Run, i: number) => new URL(r.requests[i].url, 'http://x').searchParams

/** What a human rendering must never show, whatever the gateway answered. */
function expectSaneHuman(r: Run): void {
  expect(r.result.code, show(r)).toBe(0)
  expect(r.result.stdout.trim(), show(r)).not.toBe('')
  expect(r.result.stdout, show(r)).not.toMatch(/undefined|\[object Object\]|NaN|\u001B\[/)
  expect(r.result.stderr, show(r)).not.toMatch(/Error/)
}

const P = 'projectID'
const op = (method: string, rest = '') => `${method} /v1/projects${rest ? `/{${P}}/${rest}` : ''}`

interface Case {
  args: string[]
  /** Spec operations called, in order (against the value answers). */
  calls: string[]
  /** Checks on the requests and on the parsed --json output. */
  check?: (r: Run, json: any) => void // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Checks on the human output. */
  human?: RegExp[]
  input?: string
  /** Body fields Convoy drops that the command is known to send (read-only fields echoed back). */
  ignored?: string[]
  /** Skip the all-nulls run (the answer it needs cannot be null in a Convoy that works). */
  valuesOnly?: string
  /** Which runs (default all): the all-nulls run is pointless where no answer data is read. */
  runs?: ('json' | 'human' | 'nulls')[]
}

const NO_DATA_READ: Case['runs'] = ['json', 'human']
const SAME_RENDERING: Case['runs'] = ['json']

const CASES: Record<string, Case> = {
  // ------------------------------------------------------------------ projects
  'projects get': {
    args: ['projects', 'get'],
    calls: ['GET /v1/projects/{projectID}'],
    check: (r, json) => {
      expect(r.requests[0].url).toBe(`/api/v1/projects/${PROJECT}`)
      expect(json).toMatchObject({uid: PROJECT, type: 'outgoing'})
    },
    human: [new RegExp(`^uid +${PROJECT}$`, 'm')],
  },
  'projects get <id>': {
    runs: SAME_RENDERING,
    args: ['projects', 'get', ID2],
    calls: ['GET /v1/projects/{projectID}'],
    check: (_r, json) => expect(json.uid).toBe(ID2),
  },
  'projects update --name': {
    args: ['projects', 'update', '--name', 'renamed'],
    calls: ['PUT /v1/projects/{projectID}'],
    check: (r) => expect(body(r, 0)).toEqual({name: 'renamed'}),
  },
  'projects update (config only)': {
    args: ['projects', 'update', '--retry-strategy', 'exponential', '--retry-count', '3', '--disable-endpoint'],
    calls: ['GET /v1/projects/{projectID}', 'PUT /v1/projects/{projectID}'],
    check: (r) => {
      // Convoy needs the name and replaces the whole config: both come from the current project.
      const sent = body(r, 1)
      expect(sent.name).toBe('example')
      expect(sent.config).toMatchObject({
        strategy: {type: 'exponential', retry_count: 3, duration: 1},
        disable_endpoint: true,
        signature: {header: 'X-Convoy-Signature'},
      })
    },
    // A config carried over from the project: Convoy's own read-only field, dropped on the way back.
    ignored: ['/config/meta_event/pub_sub'],
    valuesOnly: 'a project whose config is null cannot be updated field by field (Convoy always returns a config)',
  },
  'projects list --org': {
    args: ['projects', 'list', '--org', ORG],
    calls: ['GET /v1/projects'],
    check: (r, json) => {
      expect(query(r, 0).get('orgID')).toBe(ORG)
      expect(json).toEqual([expect.objectContaining({uid: expect.any(String), name: 'example'})])
    },
    human: [/^ID +NAME +TYPE +CREATED$/m],
  },
  'projects create --org': {
    args: ['projects', 'create', '--name', 'shop', '--org', ORG, '--retry-count', '4'],
    calls: ['POST /v1/projects'],
    check: (r, json) => {
      expect(query(r, 0).get('orgID')).toBe(ORG)
      expect(body(r, 0)).toEqual({name: 'shop', type: 'outgoing', config: {strategy: {retry_count: 4}}})
      expect(json).toMatchObject({project: {uid: expect.any(String)}, api_key: {key: 'CO.example.key'}})
    },
    human: [/Project API key \(shown once\): CO\.example\.key|The gateway returned no project API key\./],
  },
  'projects delete': {
    runs: NO_DATA_READ,
    args: ['projects', 'delete', ID2],
    calls: ['DELETE /v1/projects/{projectID}'],
    check: (_r, json) => expect(json).toEqual({deleted: ID2}),
  },
  'projects use': {
    args: ['projects', 'use', ID2],
    calls: ['GET /v1/projects/{projectID}'],
    check: (_r, json) => expect(json).toMatchObject({project: ID2}),
  },

  // ------------------------------------------------------------------ endpoints
  'endpoints list': {
    args: ['endpoints', 'list'],
    calls: [op('GET', 'endpoints')],
    check: (r, json) => {
      expect(Object.fromEntries(query(r, 0))).toEqual({perPage: '20', sort: 'DESC'})
      expect(json).toMatchObject({
        content: [{uid: expect.any(String), status: 'active'}],
        pagination: {has_next_page: true},
      })
    },
    human: [/^ID +NAME +URL +STATUS +CREATED$/m, /More: --cursor 01H\w+ \(or --all\)/],
  },
  'endpoints list --all --query --owner': {
    runs: SAME_RENDERING,
    args: ['endpoints', 'list', '--all', '--query', 'billing', '--owner', 'o-1', '--per-page', '50', '--sort', 'ASC'],
    calls: [op('GET', 'endpoints'), op('GET', 'endpoints')],
    check: (r, json) => {
      expect(Object.fromEntries(query(r, 0))).toEqual({q: 'billing', ownerId: 'o-1', perPage: '50', sort: 'ASC'})
      expect(query(r, 1).get('next_page_cursor')).toMatch(/^01H/)
      expect(json).toHaveLength(2)
    },
  },
  'endpoints get': {
    args: ['endpoints', 'get', ID],
    calls: [op('GET', 'endpoints/{endpointID}')],
    check: (_r, json) => expect(json.uid).toBe(ID),
  },
  'endpoints create': {
    args: [
      'endpoints',
      'create',
      '--name',
      'billing',
      '--url',
      'https://billing.example.com/hooks',
      '--secret',
      's3cr3t',
      '--owner',
      'o-1',
      '--http-timeout',
      '20',
      '--rate-limit',
      '100',
      '--rate-limit-duration',
      '60',
      '--advanced-signatures',
      '--auth-header',
      'X-Token: t0k',
      '--support-email',
      'ops@example.com',
      '--description',
      'billing hooks',
    ],
    calls: [op('POST', 'endpoints')],
    check: (r, json) => {
      expect(body(r, 0)).toEqual({
        name: 'billing',
        url: 'https://billing.example.com/hooks',
        secret: 's3cr3t',
        owner_id: 'o-1',
        http_timeout: 20,
        rate_limit: 100,
        rate_limit_duration: 60,
        advanced_signatures: true,
        support_email: 'ops@example.com',
        description: 'billing hooks',
        authentication: {type: 'api_key', api_key: {header_name: 'X-Token', header_value: 't0k'}},
      })
      expect(json.uid).toMatch(/^01H/)
    },
  },
  'endpoints update (one field)': {
    args: ['endpoints', 'update', ID, '--rate-limit', '5'],
    calls: [op('GET', 'endpoints/{endpointID}'), op('PUT', 'endpoints/{endpointID}')],
    check: (r, json) => {
      // Convoy requires url and name and overwrites description and authentication: carried over.
      expect(body(r, 1)).toMatchObject({
        url: 'https://example.com/webhooks',
        name: 'example',
        description: 'description-example',
        rate_limit: 5,
        authentication: {type: 'api_key'},
      })
      expect(json.uid).toBe(ID)
    },
  },
  'endpoints update (name, url)': {
    args: ['endpoints', 'update', ID, '--name', 'crm', '--url', 'https://crm.example.com/h', '--no-disabled'],
    calls: [op('GET', 'endpoints/{endpointID}'), op('PUT', 'endpoints/{endpointID}')],
    check: (r) => expect(body(r, 1)).toMatchObject({name: 'crm', url: 'https://crm.example.com/h', is_disabled: false}),
  },
  'endpoints delete': {
    runs: NO_DATA_READ,
    args: ['endpoints', 'delete', ID],
    calls: [op('DELETE', 'endpoints/{endpointID}')],
    check: (_r, json) => expect(json).toEqual({deleted: ID}),
  },
  'endpoints pause': {
    args: ['endpoints', 'pause', ID],
    calls: [op('GET', 'endpoints/{endpointID}'), op('PUT', 'endpoints/{endpointID}/pause')],
    check: (r) => expect(r.requests[1].body).toBeUndefined(),
  },
  'endpoints activate': {
    args: ['endpoints', 'activate', ID],
    calls: [op('POST', 'endpoints/{endpointID}/activate')],
    check: (r, json) => {
      expect(r.requests[0].body).toBeUndefined()
      expect(json.uid).toBe(ID)
    },
  },
  'endpoints expire-secret': {
    args: ['endpoints', 'expire-secret', ID, '--expiration', '24', '--secret', 'n3w'],
    calls: [op('PUT', 'endpoints/{endpointID}/expire_secret')],
    check: (r) => expect(body(r, 0)).toEqual({expiration: 24, secret: 'n3w'}),
    human: [/^New secret: /m],
  },

  // ------------------------------------------------------------------ subscriptions
  'subscriptions list': {
    args: ['subscriptions', 'list', '--endpoint', ID],
    calls: [op('GET', 'subscriptions')],
    check: (r) => expect(query(r, 0).get('endpointId')).toBe(ID),
    human: [/^ID +NAME +ENDPOINT +EVENT TYPES +CREATED$/m],
  },
  'subscriptions get': {
    args: ['subscriptions', 'get', ID],
    calls: [op('GET', 'subscriptions/{subscriptionID}')],
    check: (_r, json) => expect(json.uid).toBe(ID),
  },
  'subscriptions create': {
    args: [
      'subscriptions',
      'create',
      '--name',
      'billing',
      '--endpoint',
      ID,
      '--source',
      ID2,
      '--event-types',
      'invoice.*, charge.succeeded',
      '--filter-body',
      '{"amount":{"$gte":1000}}',
      '--filter-headers',
      '{"x-env":"prod"}',
    ],
    calls: [op('POST', 'subscriptions')],
    check: (r) =>
      expect(body(r, 0)).toEqual({
        name: 'billing',
        endpoint_id: ID,
        source_id: ID2,
        filter_config: {
          event_types: ['invoice.*', 'charge.succeeded'],
          filter: {body: {amount: {$gte: 1000}}, headers: {'x-env': 'prod'}},
        },
      }),
  },
  'subscriptions update': {
    args: ['subscriptions', 'update', ID, '--event-types', 'order.*'],
    calls: [op('GET', 'subscriptions/{subscriptionID}'), op('PUT', 'subscriptions/{subscriptionID}')],
    check: (r) => expect(body(r, 1).filter_config.event_types).toEqual(['order.*']),
  },
  'subscriptions delete': {
    runs: NO_DATA_READ,
    args: ['subscriptions', 'delete', ID],
    calls: [op('DELETE', 'subscriptions/{subscriptionID}')],
  },

  // ------------------------------------------------------------------ sources
  'sources list': {
    args: ['sources', 'list', '--provider', 'github'],
    calls: [op('GET', 'sources')],
    check: (r) => expect(query(r, 0).get('provider')).toBe('github'),
    human: [/^ID +NAME +PROVIDER +INGEST URL$/m],
  },
  'sources get': {
    args: ['sources', 'get', ID],
    calls: [op('GET', 'sources/{sourceID}')],
    check: (_r, json) => expect(json.uid).toBe(ID),
  },
  'sources create --provider github': {
    args: ['sources', 'create', '--name', 'github', '--provider', 'github', '--secret', 'gh-s3cr3t'],
    calls: [op('POST', 'sources')],
    check: (r) =>
      expect(body(r, 0)).toEqual({
        name: 'github',
        type: 'http',
        provider: 'github',
        verifier: {
          type: 'hmac',
          hmac: {header: 'X-Hub-Signature-256', hash: 'SHA256', encoding: 'hex', secret: 'gh-s3cr3t'},
        },
      }),
    human: [/^Ingest URL: https:\/\/convoy\.example\.com\/ingest\//m],
  },
  'sources create --verifier api_key': {
    args: [
      'sources',
      'create',
      '--name',
      'internal',
      '--verifier',
      'api_key',
      '--key-header',
      'X-Token',
      '--key-value',
      't0k',
      '--custom-response',
      'ok',
    ],
    calls: [op('POST', 'sources')],
    check: (r) =>
      expect(body(r, 0)).toMatchObject({
        verifier: {type: 'api_key', api_key: {header_name: 'X-Token', header_value: 't0k'}},
        custom_response: {body: 'ok', content_type: 'text/plain'},
      }),
  },
  'sources create --verifier hmac': {
    args: [
      'sources',
      'create',
      '--name',
      'acme',
      '--verifier',
      'hmac',
      '--hmac-header',
      'X-Acme-Sig',
      '--secret',
      's',
      '--hash',
      'SHA512',
      '--encoding',
      'base64',
    ],
    calls: [op('POST', 'sources')],
    check: (r) =>
      expect(body(r, 0).verifier).toEqual({
        type: 'hmac',
        hmac: {header: 'X-Acme-Sig', hash: 'SHA512', encoding: 'base64', secret: 's'},
      }),
  },
  'sources update (name)': {
    args: ['sources', 'update', ID, '--name', 'renamed'],
    calls: [op('GET', 'sources/{sourceID}'), op('PUT', 'sources/{sourceID}')],
    // Convoy requires type and replaces the verifier: both carried over from the source.
    check: (r) =>
      expect(body(r, 1)).toMatchObject({
        name: 'renamed',
        type: 'http',
        verifier: {type: 'hmac', hmac: {secret: 'secret-example'}},
      }),
    valuesOnly: 'a source whose verifier is null would be updated without one, which is what it has',
  },
  'sources update (verifier)': {
    args: ['sources', 'update', ID, '--verifier', 'basic_auth', '--username', 'u', '--password', 'p'],
    calls: [op('GET', 'sources/{sourceID}'), op('PUT', 'sources/{sourceID}')],
    check: (r) =>
      expect(body(r, 1)).toEqual({
        name: 'example',
        type: 'http',
        verifier: {type: 'basic_auth', basic_auth: {username: 'u', password: 'p'}},
      }),
  },
  'sources delete': {
    runs: NO_DATA_READ,
    args: ['sources', 'delete', ID],
    calls: [op('DELETE', 'sources/{sourceID}')],
  },

  // ------------------------------------------------------------------ events
  'events list': {
    args: ['events', 'list'],
    calls: [op('GET', 'events')],
    human: [/^ID +TYPE +STATUS +ENDPOINTS +CREATED$/m],
  },
  'events list --all': {
    runs: SAME_RENDERING,
    args: ['events', 'list', '--all'],
    calls: [op('GET', 'events'), op('GET', 'events')],
    check: (_r, json) => expect(json).toHaveLength(2),
  },
  'events list (filters, source by name)': {
    args: [
      'events',
      'list',
      '--since',
      '2026-11-01',
      '--until',
      '2026-11-02T10:30:15.250+01:00',
      '--endpoint',
      ID,
      '--source',
      'example',
      '--idempotency-key',
      'k-1',
    ],
    calls: [op('GET', 'sources'), op('GET', 'events')],
    check: (r) => {
      const q = query(r, 1)
      expect(Object.fromEntries(q)).toMatchObject({
        startDate: '2026-11-01T00:00:00',
        endDate: '2026-11-02T09:30:16',
        endpointId: ID,
        idempotencyKey: 'k-1',
      })
      expect(q.get('sourceId')).toMatch(/^01H/)
    },
    valuesOnly: 'resolves the source by the name the value answers carry',
  },
  'events get': {
    args: ['events', 'get', ID],
    calls: [op('GET', 'events/{eventID}')],
    check: (_r, json) => expect(json.uid).toBe(ID),
  },
  'events send (broadcast)': {
    runs: NO_DATA_READ,
    args: [
      'events',
      'send',
      '--type',
      'invoice.paid',
      '--data',
      '{"id":"in_1","amount":100}',
      '-H',
      'X-Env: prod',
      '--idempotency-key',
      'in_1',
    ],
    calls: [op('POST', 'events/broadcast')],
    check: (r, json) => {
      expect(body(r, 0)).toEqual({
        event_type: 'invoice.paid',
        data: {id: 'in_1', amount: 100},
        idempotency_key: 'in_1',
        custom_headers: {'X-Env': 'prod'},
      })
      expect(json).toEqual({accepted: true})
    },
    human: [/^Event accepted by the gateway$/m],
  },
  'events send --endpoint': {
    runs: NO_DATA_READ,
    args: ['events', 'send', '--type', 'user.created', '--data', '-', '--endpoint', ID],
    input: '{"id":"u_1"}',
    calls: [op('POST', 'events')],
    check: (r) => expect(body(r, 0)).toEqual({event_type: 'user.created', data: {id: 'u_1'}, endpoint_id: ID}),
  },
  'events send --owner': {
    runs: NO_DATA_READ,
    args: ['events', 'send', '--type', 'order.created', '--data', '{}', '--owner', 'o-1'],
    calls: [op('POST', 'events/fanout')],
    check: (r) => expect(body(r, 0)).toEqual({event_type: 'order.created', data: {}, owner_id: 'o-1'}),
  },
  'events replay': {
    args: ['events', 'replay', ID],
    calls: [op('PUT', 'events/{eventID}/replay')],
    check: (r, json) => {
      expect(r.requests[0].body).toBeUndefined()
      expect(json.uid).toBe(ID)
    },
  },

  // ------------------------------------------------------------------ deliveries
  'deliveries list': {
    args: ['deliveries', 'list'],
    calls: [op('GET', 'eventdeliveries')],
    human: [/^ID +EVENT TYPE +ENDPOINT +STATUS +ATTEMPTS +CREATED$/m],
  },
  'deliveries list (filters)': {
    args: [
      'deliveries',
      'list',
      '--status',
      'Failure',
      '--status',
      'Retry',
      '--endpoint',
      ID,
      '--event',
      ID2,
      '--type',
      'invoice.paid',
      '--since',
      '2026-11-01T08:00',
      '--until',
      '2026-11-01',
    ],
    calls: [op('GET', 'eventdeliveries')],
    check: (r) => {
      const q = query(r, 0)
      expect(q.getAll('status')).toEqual(['Failure', 'Retry'])
      expect(Object.fromEntries(q)).toMatchObject({
        endpointId: ID,
        eventId: ID2,
        event_type: 'invoice.paid',
        startDate: '2026-11-01T08:00:00',
        endDate: '2026-11-01T23:59:59',
      })
    },
  },
  'deliveries get': {
    args: ['deliveries', 'get', ID],
    calls: [op('GET', 'eventdeliveries/{eventDeliveryID}')],
    check: (_r, json) => expect(json.uid).toBe(ID),
  },
  'deliveries attempts': {
    args: ['deliveries', 'attempts', ID],
    calls: [op('GET', 'eventdeliveries/{eventDeliveryID}/deliveryattempts')],
    check: (_r, json) => expect(json).toEqual([expect.objectContaining({http_status: '200 OK'})]),
    human: [/^ID +STATUS +LATENCY +ERROR +AT$/m],
  },
  'deliveries retry': {
    args: ['deliveries', 'retry', ID],
    calls: [op('PUT', 'eventdeliveries/{eventDeliveryID}/resend')],
    check: (r, json) => {
      expect(r.requests[0].body).toBeUndefined()
      expect(json.uid).toBe(ID)
    },
  },
  'deliveries batch-retry': {
    runs: NO_DATA_READ,
    args: ['deliveries', 'batch-retry'],
    calls: [op('POST', 'eventdeliveries/batchretry')],
    check: (r, json) => {
      expect(r.requests[0].body).toBeUndefined()
      expect(query(r, 0).getAll('status')).toEqual(['Failure'])
      expect(json).toEqual({message: expect.any(String)})
    },
  },
  'deliveries batch-retry (filters)': {
    runs: NO_DATA_READ,
    args: ['deliveries', 'batch-retry', '--status', 'Discarded', '--endpoint', ID, '--since', '2026-11-20'],
    calls: [op('POST', 'eventdeliveries/batchretry')],
    check: (r) =>
      expect(Object.fromEntries(query(r, 0))).toEqual({
        status: 'Discarded',
        endpointId: ID,
        startDate: '2026-11-20T00:00:00',
      }),
  },
  'deliveries force-resend': {
    runs: NO_DATA_READ,
    args: ['deliveries', 'force-resend', ID, ID2],
    calls: [op('POST', 'eventdeliveries/forceresend')],
    check: (r) => expect(body(r, 0)).toEqual({ids: [ID, ID2]}),
  },

  // ------------------------------------------------------------------ listen --print-url reads sources only
  'listen --print-url': {
    args: ['listen', '--print-url', '--source', 'example'],
    calls: [op('GET', 'sources')],
    check: (_r, json) =>
      expect(json).toEqual({source: 'example', url: 'https://convoy.example.com/ingest/mask3xample'}),
    valuesOnly: 'finds the source by the name the value answers carry',
  },
}

describe.concurrent('every management command against Convoy', SLOW, () => {
  for (const [name, c] of Object.entries(CASES)) {
    describe(name, () => {
      const runs = c.runs ?? ['json', 'human', 'nulls']
      if (runs.includes('json'))
        it('--json: exit 0, JSON on stdout, only requests Convoy accepts', async () => {
          const r = await run(c.args, {json: true, input: c.input})
          expect(r.result.code, show(r)).toBe(0)
          expect(r.violations, show(r)).toEqual([])
          expect(ops(r), show(r)).toEqual(c.calls)
          expect(
            r.requests.flatMap((q) => q.ignored),
            show(r),
          ).toEqual(c.ignored ?? [])
          let json: unknown
          expect(() => (json = JSON.parse(r.result.stdout)), show(r)).not.toThrow()
          c.check?.(r, json)
        })

      if (runs.includes('human'))
        it('human output renders', async () => {
          const r = await run(c.args, {input: c.input})
          expectSaneHuman(r)
          expect(r.violations, show(r)).toEqual([])
          for (const pattern of c.human ?? []) expect(r.result.stdout, show(r)).toMatch(pattern)
        })

      if (runs.includes('nulls') && !c.valuesOnly)
        it('copes with every nullable field null', async () => {
          const r = await run(c.args, {nullables: 'null', input: c.input})
          expectSaneHuman(r)
          expect(r.violations, show(r)).toEqual([])
        })
    })
  }
})

describe.concurrent('profiles and status against Convoy', SLOW, () => {
  it('gateway, key and project from CARAVAN_* env vars work like the flags', async () => {
    const r = await run(['endpoints', 'list'], {viaEnv: true, json: true})
    expect(r.result.code, show(r)).toBe(0)
    expect(r.violations).toEqual([])
    expect(r.requests[0].url).toMatch(new RegExp(`^/api/v1/projects/${PROJECT}/endpoints\\?`))
  })

  it('login checks the key on its project and saves the profile', async () => {
    const r = await run(
      (url) => [
        'login',
        '--gateway',
        `${url}/`,
        '--api-key',
        KEY,
        '--project',
        PROJECT,
        '--profile',
        'convoy',
        '--json',
      ],
      {bare: true, readProfiles: true},
    )
    expect(r.result.code, show(r)).toBe(0)
    expect(r.violations).toEqual([])
    expect(ops(r)).toEqual(['GET /v1/projects/{projectID}'])
    const url = r.profiles!.profiles.convoy.gateway!
    expect(JSON.parse(r.result.stdout)).toEqual({profile: 'convoy', gateway: url, project: PROJECT})
    expect(r.profiles).toMatchObject({
      current: 'convoy',
      profiles: {
        convoy: {gateway: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), apiKey: KEY, project: PROJECT},
      },
    })
  })

  it('login without --project: Convoy lists projects per organisation only, so it fails and says to pass --project', async () => {
    const r = await run((url) => ['login', '--gateway', url, '--api-key', KEY], {bare: true})
    expect(r.result.code, show(r)).toBe(6)
    expect(r.result.stderr).toMatch(
      /^Error: the gateway would not list projects for this key: query parameter orgID is required\n/,
    )
    expect(r.result.stderr).toMatch(
      /^Hint: pass --project <id>: a Convoy project API key \(CO\.…\) is checked against its own project$/m,
    )
    // The one documented difference: GET /projects without orgID.
    expect(r.violations).toEqual([
      expect.stringMatching(/^GET \/api\/v1\/projects: query parameter orgID is required$/),
    ])
  })

  it('projects list without --org fails the same way and names --org', async () => {
    const r = await run(['projects', 'list'])
    expect(r.result.code, show(r)).toBe(6)
    expect(r.result.stderr).toMatch(/^Hint: against Convoy, pass --org <organisation ID> with a personal API key/m)
    expect(r.violations).toEqual([expect.stringMatching(/orgID is required$/)])
  })

  it('status: reachable through /health, not a Caravan relay, no API call', async () => {
    const [json, human] = await Promise.all([run(['status', '--json']), run(['status'])])
    expect(json.result.code, show(json)).toBe(0)
    expect(JSON.parse(json.result.stdout)).toMatchObject({
      gateway_from: 'flag',
      project: PROJECT,
      api_key: 'set',
      reachable: true,
      caravan: false,
      error: null,
      listeners: [],
    })
    expect(json.requests).toEqual([])
    expect(json.probes).toEqual(['GET /healthz', 'GET /health'])
    expectSaneHuman(human)
    expect(human.result.stdout).toMatch(
      /^status +up, not a Caravan relay \(Convoy API: no listen, inspect or replay\)$/m,
    )
  })
})

describe.concurrent('Caravan-only features fail clearly against Convoy', SLOW, () => {
  const needsCaravan = (feature: string) =>
    new RegExp(`^Error: ${feature} needs a Caravan gateway: http://127\\.0\\.0\\.1:\\d+ is not a Caravan relay \\(`)

  for (const [route, extra, call] of [
    ['broadcast', [], op('POST', 'events/broadcast')],
    ['--endpoint', ['--endpoint', ID], op('POST', 'events')],
    ['--owner', ['--owner', 'o-1'], op('POST', 'events/fanout')],
  ] as const) {
    it(`events send --wait (${route}): the event is queued, but Convoy returns none to follow: exit 7`, async () => {
      const r = await run(['events', 'send', '--type', 'a.b', '--data', '{}', ...extra, '--wait', '--json'])
      expect(r.result.code, show(r)).toBe(7)
      expect(r.result.stdout).toBe('')
      expect(r.result.stderr).toMatch(needsCaravan('events send --wait'))
      expect(r.result.stderr).toMatch(/the event was accepted, but Convoy answers event creation with no data/)
      expect(r.result.stderr).toMatch(/^Hint: drop --wait/m)
      expect(r.violations).toEqual([])
      expect(ops(r)).toEqual([call])
    })
  }

  it('listen: POST /listeners is not a Convoy route; says listen needs Caravan: exit 7', async () => {
    const r = await run(['listen', '--forward', 'localhost:3000'])
    expect(r.result.code, show(r)).toBe(7)
    expect(r.result.stdout).toBe('')
    expect(r.result.stderr).toMatch(needsCaravan('caravan listen'))
    expect(r.result.stderr).toMatch(/it has no listener API: POST \/listeners answered "no Convoy route POST/)
    expect(r.violations).toEqual([expect.stringMatching(/^POST \/api\/v1\/projects\/\w+\/listeners: no Convoy route/)])
  })

  it('inspect: no live feed on Convoy; said before the terminal is needed: exit 7', async () => {
    const r = await run(['inspect'])
    expect(r.result.code, show(r)).toBe(7)
    expect(r.result.stderr).toMatch(needsCaravan('caravan inspect'))
    expect(r.result.stderr).toMatch(
      /^Hint: use caravan events list, caravan deliveries list and caravan deliveries attempts against Convoy$/m,
    )
    expect(r.requests).toEqual([])
  })

  it('replay: Convoy events carry no raw request; points at events replay: exit 7', async () => {
    const r = await run(['replay', ID, '--forward', 'localhost:1'])
    expect(r.result.code, show(r)).toBe(7)
    expect(r.result.stderr).toMatch(needsCaravan('caravan replay'))
    expect(r.result.stderr).toMatch(
      new RegExp(`^Hint: to have the gateway deliver the event again, use: caravan events replay ${ID}$`, 'm'),
    )
    expect(r.violations).toEqual([])
    expect(ops(r)).toEqual([op('GET', 'events/{eventID}')])
  })
})

describe.concurrent('Caravan extensions are visible as such against Convoy', SLOW, () => {
  it('events list --type sends event_type, which Convoy ignores (documented: Caravan-only filter)', async () => {
    const r = await run(['events', 'list', '--type', 'invoice.paid', '--json'])
    expect(r.result.code, show(r)).toBe(0)
    expect(r.violations).toEqual([expect.stringMatching(/unknown query parameter event_type \(Convoy ignores it\)$/)])
  })

  it('sources create --provider stripe: not a Convoy provider, Convoy answers 400: exit 6', async () => {
    const r = await run(['sources', 'create', '--name', 'stripe', '--provider', 'stripe', '--secret', 'whsec_x'])
    expect(r.result.code, show(r)).toBe(6)
    expect(r.violations).toEqual([
      expect.stringMatching(
        /\/provider must be equal to one of the allowed values \["github","twitter","shopify",""\]/,
      ),
    ])
  })

  it("sources create --idempotency-key header.X: Caravan's location syntax, not Convoy's: exit 6", async () => {
    const r = await run(['sources', 'create', '--name', 'internal', '--idempotency-key', 'header.X-Id'])
    expect(r.result.code, show(r)).toBe(6)
    expect(r.violations).toEqual([expect.stringMatching(/idempotency_keys: "header\.X-Id" is not a Convoy location/)])
  })

  it('sources create --body-limit: a field Convoy drops', async () => {
    const r = await run(['sources', 'create', '--name', 'big', '--body-limit', '1000000', '--json'])
    expect(r.result.code, show(r)).toBe(0)
    expect(r.violations).toEqual([])
    expect(r.requests[0].ignored).toEqual(['/body_limit'])
  })
})
