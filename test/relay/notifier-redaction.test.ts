import {describe, expect, it} from 'vitest'

import {Notifier} from '../../src/delivery/notifier.js'
import {Sender} from '../../src/delivery/sender.js'
import {SsrfGuard} from '../../src/delivery/ssrf-guard.js'
import {redactIn, redactUrl} from '../../src/relay/redact.js'
import {defaultProjectConfig} from '../../src/store/projects.js'
import type {Endpoint, Project} from '../../src/store/types.js'
import {closedPort, startSink} from '../helpers/delivery.js'

describe('URLs in logs', () => {
  it('keep scheme, host and the first path segment; hide tokens in the path, the query and user-info', () => {
    expect(redactUrl('https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX')).toBe(
      'https://hooks.slack.com/services/***',
    )
    expect(redactUrl('https://alice:pa55word@meta.example.com:8443/hook?token=abc123&x=1')).toBe(
      'https://***@meta.example.com:8443/hook?***',
    )
    expect(redactUrl('http://127.0.0.1:9/')).toBe('http://127.0.0.1:9/')
    expect(redactUrl('not a url')).toBe('[unparseable URL]')
    const url = 'https://u:topsecret@h.example/a/tok3n-value?sig=s1gnature'
    expect(redactIn(`connect to ${url} failed; sig=s1gnature; password topsecret`, url)).toBe(
      'connect to https://***@h.example/a/***?*** failed; sig=***; password ***',
    )
  })
})

describe('a failing notification', () => {
  it('is logged without the Slack token or the meta-event URL credentials', async () => {
    const sink = await startSink(() => ({status: 500}))
    const dead = await closedPort()
    const sender = new Sender(new SsrfGuard(false))
    const logs: string[] = []
    const notifier = new Notifier(sender, (line) => logs.push(line))
    const slackToken = 'xoxb-SLACKTOKEN123456'
    const metaSecret = 'metaPASSWORD987'
    const project = {
      id: 'p1',
      name: 'p',
      type: 'outgoing',
      logo_url: '',
      created_at: '',
      updated_at: '',
      config: {
        ...defaultProjectConfig(),
        meta_event: {
          is_enabled: true,
          type: 'http',
          url: `http://ops:${metaSecret}@127.0.0.1:${dead}/meta?token=${metaSecret}`,
          secret: '',
          event_type: [],
        },
      },
    } as Project
    const endpoint = {
      id: 'e1',
      name: 'orders',
      url: 'http://127.0.0.1:9/',
      slack_webhook_url: `${sink.url}/services/T0001/B0001/${slackToken}`,
    } as Endpoint
    await notifier.notify(project, endpoint, 'endpoint.disabled', {reason: 'HTTP 410'})
    await sender.close()
    const text = logs.join('\n')
    expect(logs.some((l) => l.startsWith(`Slack notification to ${sink.url}/services/*** failed: HTTP 500`))).toBe(true)
    expect(
      logs.some((l) => l.startsWith(`meta event endpoint.disabled to http://***@127.0.0.1:${dead}/meta?*** failed`)),
    ).toBe(true)
    expect(text).not.toContain(slackToken)
    expect(text).not.toContain(metaSecret)
  })
})
