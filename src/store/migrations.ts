/**
 * Numbered migrations, applied in order inside one transaction each and tracked with
 * PRAGMA user_version. Never edit a released migration: add a new one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: the base schema
  `
  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );

  CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('incoming', 'outgoing')),
    config TEXT NOT NULL,
    logo_url TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
  );

  CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    project_id TEXT REFERENCES projects(id),
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
  );

  CREATE TABLE endpoints (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id),
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    owner_id TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('active', 'inactive', 'paused')),
    secrets TEXT NOT NULL,
    http_timeout INTEGER NOT NULL,
    rate_limit INTEGER NOT NULL,
    rate_limit_duration INTEGER NOT NULL,
    authentication TEXT,
    advanced_signatures INTEGER NOT NULL DEFAULT 0,
    content_type TEXT NOT NULL DEFAULT 'application/json',
    slack_webhook_url TEXT NOT NULL DEFAULT '',
    support_email TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
  );
  CREATE INDEX endpoints_project ON endpoints (project_id, id) WHERE deleted_at IS NULL;
  CREATE INDEX endpoints_owner ON endpoints (project_id, owner_id) WHERE deleted_at IS NULL;

  CREATE TABLE sources (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id),
    name TEXT NOT NULL,
    mask_id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL DEFAULT 'http',
    provider TEXT NOT NULL DEFAULT '',
    verifier TEXT NOT NULL,
    idempotency_keys TEXT NOT NULL DEFAULT '[]',
    event_type_location TEXT NOT NULL DEFAULT '',
    custom_response TEXT,
    forward_headers TEXT NOT NULL DEFAULT '[]',
    body_limit INTEGER NOT NULL,
    is_disabled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
  );
  CREATE INDEX sources_project ON sources (project_id, id) WHERE deleted_at IS NULL;

  CREATE TABLE subscriptions (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id),
    name TEXT NOT NULL,
    type TEXT NOT NULL DEFAULT 'api',
    endpoint_id TEXT REFERENCES endpoints(id),
    source_id TEXT REFERENCES sources(id),
    filter_config TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
  );
  CREATE INDEX subscriptions_project ON subscriptions (project_id, id) WHERE deleted_at IS NULL;
  CREATE INDEX subscriptions_endpoint ON subscriptions (endpoint_id) WHERE deleted_at IS NULL;

  CREATE TABLE events (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id),
    source_id TEXT,
    event_type TEXT NOT NULL DEFAULT '',
    method TEXT NOT NULL DEFAULT 'POST',
    url_path TEXT NOT NULL DEFAULT '',
    url_query TEXT NOT NULL DEFAULT '',
    headers TEXT NOT NULL DEFAULT '{}',
    body BLOB NOT NULL,
    idempotency_key TEXT,
    is_duplicate INTEGER NOT NULL DEFAULT 0,
    verification_error TEXT,
    target_endpoint_ids TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX events_project ON events (project_id, id);
  CREATE INDEX events_source ON events (project_id, source_id, id);
  CREATE INDEX events_idempotency ON events (project_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

  CREATE TABLE deliveries (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id),
    event_id TEXT NOT NULL REFERENCES events(id),
    endpoint_id TEXT NOT NULL REFERENCES endpoints(id),
    subscription_id TEXT NOT NULL,
    event_type TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('Scheduled', 'Processing', 'Success', 'Failure', 'Retry', 'Discarded')),
    attempts INTEGER NOT NULL DEFAULT 0,
    retry_limit INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    latency_ms INTEGER,
    description TEXT NOT NULL DEFAULT '',
    idempotency_key TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX deliveries_project ON deliveries (project_id, id);
  CREATE INDEX deliveries_status ON deliveries (project_id, status, id);
  CREATE INDEX deliveries_endpoint ON deliveries (project_id, endpoint_id, id);
  CREATE INDEX deliveries_event ON deliveries (event_id);
  CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status IN ('Scheduled', 'Retry');

  CREATE TABLE delivery_attempts (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    delivery_id TEXT NOT NULL REFERENCES deliveries(id),
    endpoint_id TEXT NOT NULL,
    url TEXT NOT NULL,
    method TEXT NOT NULL,
    request_headers TEXT NOT NULL,
    response_status INTEGER,
    response_headers TEXT,
    response_body BLOB,
    error TEXT NOT NULL DEFAULT '',
    latency_ms INTEGER,
    created_at TEXT NOT NULL
  );
  CREATE INDEX attempts_delivery ON delivery_attempts (delivery_id, id);
  `,
  // 2: listeners. A `cli` endpoint stands for one `caravan listen`; its deliveries are
  // `stream` mode: pushed over the listener's WebSocket, not sent by the dispatcher.
  `
  ALTER TABLE endpoints ADD COLUMN kind TEXT NOT NULL DEFAULT 'http';
  ALTER TABLE deliveries ADD COLUMN mode TEXT NOT NULL DEFAULT 'push';
  DROP INDEX deliveries_due;
  CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status IN ('Scheduled', 'Retry') AND mode = 'push';
  CREATE INDEX deliveries_stream ON deliveries (endpoint_id, id) WHERE status IN ('Scheduled', 'Retry') AND mode = 'stream';
  `,
  // 3: the admin key was kept in plain text in meta (other keys only as hashes): keep its
  // hash instead. The plain key lives only in the local profile (0600) and with whoever
  // passed --api-key. caravan_sha256 is registered by openDb.
  `
  UPDATE meta SET key = 'admin_api_key_sha256', value = caravan_sha256(value) WHERE key = 'admin_api_key';
  `,
  // 4: retention prunes old events project by project, oldest first, without a table scan.
  `
  CREATE INDEX events_created ON events (project_id, created_at, id);
  `,
  // 5: a request that failed verification keeps only the head of its body; body_info says
  // so ({size, sha256, stored}), and the index finds a source's unverified events to cap them.
  `
  ALTER TABLE events ADD COLUMN body_info TEXT;
  CREATE INDEX events_unverified ON events (source_id, id) WHERE verification_error IS NOT NULL;
  `,
  // 6: source names are unique in a project, so every command means the same
  // source by a name. Stores made before may hold duplicates: the oldest keeps the name (it
  // is the one listen used), newer ones become name-2, name-3… (name-<id tail> where that
  // name is taken already). Listeners record when they were last connected, so unused ones expire.
  `
  WITH ranked AS (
    SELECT id, ROW_NUMBER() OVER (PARTITION BY project_id, name ORDER BY id) AS n
    FROM sources WHERE deleted_at IS NULL
  )
  UPDATE sources SET name = CASE
      WHEN EXISTS (
        SELECT 1 FROM sources o WHERE o.project_id = sources.project_id AND o.deleted_at IS NULL
          AND o.name = sources.name || '-' || (SELECT n FROM ranked WHERE ranked.id = sources.id)
      ) THEN name || '-' || lower(substr(id, -6))
      ELSE name || '-' || (SELECT n FROM ranked WHERE ranked.id = sources.id)
    END
  WHERE id IN (SELECT id FROM ranked WHERE n > 1);
  UPDATE sources SET name = name || '-' || lower(substr(id, -6))
  WHERE deleted_at IS NULL AND EXISTS (
    SELECT 1 FROM sources o
    WHERE o.project_id = sources.project_id AND o.name = sources.name AND o.id < sources.id AND o.deleted_at IS NULL
  );
  CREATE UNIQUE INDEX sources_project_name ON sources (project_id, name) WHERE deleted_at IS NULL;
  ALTER TABLE endpoints ADD COLUMN last_seen_at TEXT;
  UPDATE endpoints SET last_seen_at = updated_at WHERE kind = 'cli';
  `,
  // 7: the dispatcher's due queries must not sort. With a large backlog the old index
  // (next_attempt_at alone) left ties on next_attempt_at to a temp B-tree on every look at
  // the queue. (next_attempt_at, id) serves ORDER BY next_attempt_at, id and MIN(); the
  // per-endpoint index lets the dispatcher take each endpoint's due deliveries in turn, so
  // one endpoint's backlog cannot hold up another's. Both are partial: only waiting push
  // deliveries are in them, so they cost nothing for delivered ones.
  `
  DROP INDEX deliveries_due;
  CREATE INDEX deliveries_due ON deliveries (next_attempt_at, id) WHERE status IN ('Scheduled', 'Retry') AND mode = 'push';
  CREATE INDEX deliveries_due_endpoint ON deliveries (endpoint_id, next_attempt_at, id) WHERE status IN ('Scheduled', 'Retry') AND mode = 'push';
  `,
  // 8 (Svix API, issue 13): Svix applications own endpoints (endpoints.owner_id = app id);
  // an endpoint's Svix fields (uid, filterTypes, channels, metadata, headers) and a message's
  // (eventId, channels, expunged) are JSON beside the Convoy ones. Event types are one table
  // for both APIs (Svix: name, description, archived, schemas, featureFlags, groupName;
  // Convoy: category, json_schema = schemas["1"], deprecated_at). Idempotency keys of Svix
  // POSTs keep the first answer for a day.
  `
  CREATE TABLE svix_apps (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id),
    uid TEXT,
    name TEXT NOT NULL,
    rate_limit INTEGER,
    metadata TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
  );
  CREATE INDEX svix_apps_project ON svix_apps (project_id, id) WHERE deleted_at IS NULL;
  CREATE UNIQUE INDEX svix_apps_uid ON svix_apps (project_id, uid) WHERE deleted_at IS NULL AND uid IS NOT NULL;
  ALTER TABLE endpoints ADD COLUMN svix TEXT;
  ALTER TABLE events ADD COLUMN app_id TEXT;
  ALTER TABLE events ADD COLUMN event_uid TEXT;
  ALTER TABLE events ADD COLUMN svix TEXT;
  CREATE INDEX events_app ON events (project_id, app_id, id) WHERE app_id IS NOT NULL;
  CREATE UNIQUE INDEX events_app_event_uid ON events (project_id, app_id, event_uid) WHERE event_uid IS NOT NULL;
  CREATE TABLE event_types (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL DEFAULT '',
    schemas TEXT,
    archived INTEGER NOT NULL DEFAULT 0,
    deprecated_at TEXT,
    feature_flags TEXT,
    group_name TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
  );
  CREATE UNIQUE INDEX event_types_name ON event_types (project_id, name) WHERE deleted_at IS NULL;
  CREATE TABLE svix_idempotency (
    project_id TEXT NOT NULL,
    key TEXT NOT NULL,
    request TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (project_id, key)
  );
  CREATE INDEX svix_idempotency_created ON svix_idempotency (created_at);
  `,
  // convoy (issue 14): per-event-type subscription filters (Convoy's /subscriptions/{id}/filters)
  // and a subscription status that toggle_status flips; an inactive subscription routes nothing.
  `
  CREATE TABLE subscription_filters (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    subscription_id TEXT NOT NULL REFERENCES subscriptions(id),
    event_type TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '{}',
    headers TEXT NOT NULL DEFAULT '{}',
    query TEXT NOT NULL DEFAULT '{}',
    enabled_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE UNIQUE INDEX subscription_filters_type ON subscription_filters (subscription_id, event_type);
  ALTER TABLE subscriptions ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
  `,
  // convoy (issue 14): meta events are kept (Convoy's /meta-events), with every attempt to send one.
  `
  CREATE TABLE meta_events (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id),
    event_type TEXT NOT NULL,
    url TEXT NOT NULL,
    body BLOB NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX meta_events_project ON meta_events (project_id, id);
  CREATE TABLE meta_event_attempts (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    meta_event_id TEXT NOT NULL REFERENCES meta_events(id),
    url TEXT NOT NULL,
    request_headers TEXT NOT NULL,
    response_status INTEGER,
    response_headers TEXT,
    response_body BLOB,
    error TEXT NOT NULL DEFAULT '',
    latency_ms INTEGER,
    created_at TEXT NOT NULL
  );
  CREATE INDEX meta_event_attempts_event ON meta_event_attempts (meta_event_id, id);
  `,
  // convoy (issue 14): portal links (Convoy's /portal-links), scoped by owner_id or a list of endpoints.
  `
  CREATE TABLE portal_links (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id),
    name TEXT NOT NULL,
    owner_id TEXT NOT NULL DEFAULT '',
    endpoints TEXT NOT NULL DEFAULT '[]',
    can_manage_endpoint INTEGER NOT NULL DEFAULT 0,
    auth_type TEXT NOT NULL,
    token TEXT NOT NULL,
    auth_key TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
  );
  CREATE INDEX portal_links_project ON portal_links (project_id, id) WHERE deleted_at IS NULL;
  `,
  // convoy (issue 14): endpoint client certificates (mTLS), and subscription delivery mode and rate limit.
  `
  ALTER TABLE endpoints ADD COLUMN mtls_client_cert TEXT;
  ALTER TABLE subscriptions ADD COLUMN delivery_mode TEXT NOT NULL DEFAULT 'at_least_once';
  ALTER TABLE subscriptions ADD COLUMN rate_limit_config TEXT;
  `,
  // convoy (issue 14): transformation functions, run in a sandbox when a delivery is made.
  `
  ALTER TABLE subscriptions ADD COLUMN function TEXT NOT NULL DEFAULT '';
  ALTER TABLE sources ADD COLUMN body_function TEXT NOT NULL DEFAULT '';
  ALTER TABLE sources ADD COLUMN header_function TEXT NOT NULL DEFAULT '';
  `,
  // delivery (issue 12): how many deliveries to an endpoint may be in flight at once; NULL is
  // the relay's default (16).
  `
  ALTER TABLE endpoints ADD COLUMN max_in_flight INTEGER;
  `,
  // portal (issue 15): customer portal sessions. Tokens are credentials: only their SHA-256
  // is kept. A token opens one Svix application or one Convoy portal link. Portal links kept
  // their token in plain text until now, with no portal to open: those tokens are dropped
  // (refresh_token mints a working one).
  `
  CREATE TABLE portal_tokens (
    token_hash TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('svix_app', 'portal_link')),
    scope_id TEXT NOT NULL,
    capabilities TEXT NOT NULL DEFAULT '[]',
    read_only INTEGER NOT NULL DEFAULT 0,
    session_id TEXT,
    expires_at INTEGER,
    created_at TEXT NOT NULL
  );
  CREATE INDEX portal_tokens_scope ON portal_tokens (project_id, kind, scope_id, session_id);
  CREATE INDEX portal_tokens_expiry ON portal_tokens (expires_at) WHERE expires_at IS NOT NULL;
  UPDATE portal_links SET token = '', auth_key = '';
  `,
  // 16 (issue 12): the events list's Duplicate filter read every event of the project (0.45 s
  // at 1M); duplicates are few, so this index costs nothing on other inserts.
  `
  CREATE INDEX events_duplicate ON events (project_id, id) WHERE is_duplicate = 1;
  `,
  // 17 (issue 12): two indexes fewer to write per event. events_created went: an event's id is
  // a ULID of the millisecond in created_at, so time bounds are id bounds on events_project.
  // events_source holds only events that came in through a source (API-sent events have none).
  `
  DROP INDEX events_created;
  DROP INDEX events_source;
  CREATE INDEX events_source ON events (project_id, source_id, id) WHERE source_id IS NOT NULL;
  `,
]
