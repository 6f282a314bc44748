/** GitHub: JSON bodies, event name and delivery id in `X-GitHub-*` headers. */
import {json, type Sample, type SampleContext, type SampleDef} from './context.js'

const OCTOCAT = {
  login: 'octocat',
  id: 583231,
  node_id: 'MDQ6VXNlcjU4MzIzMQ==',
  avatar_url: 'https://avatars.githubusercontent.com/u/583231?v=4',
  html_url: 'https://github.com/octocat',
  type: 'User',
  site_admin: false,
}

function githubRepo(ctx: SampleContext) {
  return {
    id: 786543210,
    node_id: 'R_kgDOLuQ8ag',
    name: 'demo-app',
    full_name: 'octocat/demo-app',
    private: false,
    owner: OCTOCAT,
    html_url: 'https://github.com/octocat/demo-app',
    description: 'A small app that receives webhooks',
    fork: false,
    url: 'https://api.github.com/repos/octocat/demo-app',
    created_at: '2024-04-02T09:15:31Z',
    updated_at: ctx.iso,
    pushed_at: ctx.iso,
    default_branch: 'main',
    visibility: 'public',
  }
}

function github(ctx: SampleContext, event: string, payload: unknown, hookId = 482137305): Sample {
  const delivery = ctx.ids.uuid()
  return {
    id: delivery,
    headers: {
      'content-type': 'application/json',
      'User-Agent': `GitHub-Hookshot/${ctx.ids.hex(7)}`,
      Accept: '*/*',
      'X-GitHub-Event': event,
      'X-GitHub-Delivery': delivery,
      'X-GitHub-Hook-ID': String(hookId),
      'X-GitHub-Hook-Installation-Target-ID': '786543210',
      'X-GitHub-Hook-Installation-Target-Type': 'repository',
    },
    body: json(payload),
  }
}

function githubPush(ctx: SampleContext): Sample {
  const before = ctx.ids.hex(40)
  const after = ctx.ids.hex(40)
  const commit = {
    id: after,
    tree_id: ctx.ids.hex(40),
    distinct: true,
    message: 'Retry deliveries with jitter',
    timestamp: ctx.iso,
    url: `https://github.com/octocat/demo-app/commit/${after}`,
    author: {name: 'The Octocat', email: 'octocat@users.noreply.github.com', username: 'octocat'},
    committer: {name: 'GitHub', email: 'noreply@github.com', username: 'web-flow'},
    added: ['src/retry.ts'],
    removed: [],
    modified: ['src/deliver.ts', 'README.md'],
  }
  return github(ctx, 'push', {
    ref: 'refs/heads/main',
    before,
    after,
    // Push payloads really do use unix seconds here, unlike every other event.
    repository: {...githubRepo(ctx), created_at: 1712049331, pushed_at: ctx.seconds},
    pusher: {name: 'octocat', email: 'octocat@users.noreply.github.com'},
    sender: OCTOCAT,
    created: false,
    deleted: false,
    forced: false,
    base_ref: null,
    compare: `https://github.com/octocat/demo-app/compare/${before.slice(0, 12)}...${after.slice(0, 12)}`,
    commits: [commit],
    head_commit: commit,
  })
}

function githubPullRequest(ctx: SampleContext): Sample {
  const repo = githubRepo(ctx)
  const number = 42
  return github(ctx, 'pull_request', {
    action: 'opened',
    number,
    pull_request: {
      url: `https://api.github.com/repos/octocat/demo-app/pulls/${number}`,
      id: ctx.ids.number(10),
      node_id: `PR_kwDOLuQ8as${ctx.ids.token(7)}`,
      html_url: `https://github.com/octocat/demo-app/pull/${number}`,
      diff_url: `https://github.com/octocat/demo-app/pull/${number}.diff`,
      number,
      state: 'open',
      locked: false,
      title: 'Add retry jitter to deliveries',
      user: OCTOCAT,
      body: 'Spreads retries out so a recovering endpoint is not hit by every queued delivery at once.',
      created_at: ctx.iso,
      updated_at: ctx.iso,
      closed_at: null,
      merged_at: null,
      draft: false,
      head: {label: 'octocat:retry-jitter', ref: 'retry-jitter', sha: ctx.ids.hex(40), user: OCTOCAT, repo},
      base: {label: 'octocat:main', ref: 'main', sha: ctx.ids.hex(40), user: OCTOCAT, repo},
      merged: false,
      mergeable: null,
      comments: 0,
      review_comments: 0,
      commits: 3,
      additions: 120,
      deletions: 14,
      changed_files: 5,
    },
    repository: repo,
    sender: OCTOCAT,
  })
}

function githubPing(ctx: SampleContext): Sample {
  const hookId = ctx.ids.number(9)
  const hookUrl = `https://api.github.com/repos/octocat/demo-app/hooks/${hookId}`
  return github(
    ctx,
    'ping',
    {
      zen: 'Keep it logically awesome.',
      hook_id: hookId,
      hook: {
        type: 'Repository',
        id: hookId,
        name: 'web',
        active: true,
        events: ['push', 'pull_request'],
        config: {content_type: 'json', insecure_ssl: '0', url: 'https://example.com/webhooks/github'},
        updated_at: ctx.iso,
        created_at: ctx.iso,
        url: hookUrl,
        test_url: `${hookUrl}/test`,
        ping_url: `${hookUrl}/pings`,
        deliveries_url: `${hookUrl}/deliveries`,
        last_response: {code: null, status: 'unused', message: null},
      },
      repository: githubRepo(ctx),
      sender: OCTOCAT,
    },
    hookId,
  )
}

export const GITHUB_SAMPLES: Readonly<Record<string, SampleDef>> = {
  push: {description: 'Commits pushed to main', build: githubPush},
  pull_request: {description: 'A pull request opened', build: githubPullRequest},
  ping: {description: 'Sent when a webhook is created', build: githubPing},
}
