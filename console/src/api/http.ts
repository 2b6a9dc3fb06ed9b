/**
 * The console's REST client: JSON requests with the access token, one error shape (ApiError with the
 * per-field problems the API names), and the session's tokens.
 *
 * Tokens: the access token lives 15 minutes; the refresh token rotates on every use, and presenting a
 * used one again ends ALL of the user's sessions. So a refresh must happen once, never twice with the
 * same token: refreshes are single-flight inside this client and serialised across browser tabs with
 * a Web Lock (tabs share the stored session); after taking the lock the client re-reads the store and
 * adopts tokens another tab got meanwhile instead of refreshing again.
 */
import type { Session, UploadedFile, User } from './types.ts';

export interface FieldError {
  field: string;
  message: string;
  type?: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: FieldError[];
  readonly data: unknown;

  constructor(status: number, code: string, message: string, fields: FieldError[] = [], data?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.data = data;
  }
}

/** What the client keeps between page loads. */
export interface StoredSession {
  accessToken: string;
  accessExpiresAt: string;
  refreshToken: string;
  user: User;
}

export interface TokenStore {
  load(): StoredSession | null;
  save(session: StoredSession | null): void;
}

/** Runs fn while holding the named lock (across tabs in a browser). */
export type LockFn = <T>(name: string, fn: () => Promise<T>) => Promise<T>;

/** A store in memory (tests, or a browser without storage). */
export function memoryStore(initial: StoredSession | null = null): TokenStore {
  let value = initial;
  return { load: () => value, save: (s) => (value = s) };
}

/** A store in localStorage under one key. */
export function localStore(storage: Storage, key = 'okno.session'): TokenStore {
  return {
    load() {
      try {
        const raw = storage.getItem(key);
        return raw ? (JSON.parse(raw) as StoredSession) : null;
      } catch {
        return null;
      }
    },
    save(s) {
      if (s) storage.setItem(key, JSON.stringify(s));
      else storage.removeItem(key);
    },
  };
}

/** A lock inside this page only (one promise chain per name). */
export function inProcessLock(): LockFn {
  const chains = new Map<string, Promise<unknown>>();
  return <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const prev = chains.get(name) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    chains.set(name, run.catch(() => undefined));
    return run;
  };
}

/** navigator.locks when the browser has it (serialises tabs), otherwise a lock in this page. */
export function defaultLock(): LockFn {
  const locks = (globalThis as { navigator?: { locks?: { request<T>(name: string, cb: () => Promise<T>): Promise<T> } } }).navigator?.locks;
  if (locks) return (name, fn) => locks.request(name, fn);
  return inProcessLock();
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  body?: unknown;
  query?: Query;
  signal?: AbortSignal;
  /** Send without the access token (sign-in, refresh). */
  anonymous?: boolean;
  /** Answer as a Blob instead of JSON. */
  asBlob?: boolean;
}

export interface ClientOptions {
  /** Where the API is, e.g. '/api' (default) or 'http://127.0.0.1:8080/api'. */
  baseUrl?: string;
  fetch?: typeof fetch;
  store: TokenStore;
  lock?: LockFn;
  now?: () => number;
  /** Refresh this long before the access token expires (default 30 s). */
  refreshMarginMs?: number;
}

const REFRESH_LOCK = 'okno.refresh';

export function buildQuery(q: Query | undefined): string {
  if (!q) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null || v === '') continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

async function errorOf(res: Response): Promise<ApiError> {
  type ErrorBody = { error?: { code?: string; message?: string; fields?: FieldError[]; data?: unknown } };
  const body = (await res.json().catch(() => null)) as ErrorBody | null;
  const e = body?.error;
  return new ApiError(res.status, e?.code ?? `HTTP_${res.status}`, e?.message ?? res.statusText ?? `HTTP ${res.status}`, e?.fields ?? [], e?.data);
}

export class ApiClient {
  private readonly base: string;
  private readonly doFetch: typeof fetch;
  private readonly store: TokenStore;
  private readonly lock: LockFn;
  private readonly now: () => number;
  private readonly margin: number;
  private refreshing: Promise<StoredSession> | null = null;
  private readonly listeners = new Set<(s: StoredSession | null) => void>();

  constructor(opts: ClientOptions) {
    this.base = (opts.baseUrl ?? '/api').replace(/\/$/, '');
    this.doFetch = opts.fetch ?? ((input, init) => fetch(input, init));
    this.store = opts.store;
    this.lock = opts.lock ?? defaultLock();
    this.now = opts.now ?? Date.now;
    this.margin = opts.refreshMarginMs ?? 30_000;
  }

  get session(): StoredSession | null {
    return this.store.load();
  }

  /** Called when the session starts, is renewed, or ends (null). */
  onSession(cb: (s: StoredSession | null) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  private setSession(s: StoredSession | null): void {
    this.store.save(s);
    for (const cb of this.listeners) cb(s);
  }

  async login(login: string, password: string): Promise<User> {
    const s = await this.raw<Session>('POST', '/auth/login', { body: { login, password }, anonymous: true });
    this.setSession({ accessToken: s.accessToken, accessExpiresAt: s.accessExpiresAt, refreshToken: s.refreshToken, user: s.user });
    return s.user;
  }

  /** Ends this session on the server (best effort) and forgets it here. */
  async logout(): Promise<void> {
    const s = this.session;
    if (s) await this.raw('POST', '/auth/logout', { body: { refreshToken: s.refreshToken } }, s.accessToken).catch(() => undefined);
    this.setSession(null);
  }

  /** A valid access token (refreshed first when it is about to expire); throws 401 when signed out. */
  async token(): Promise<string> {
    const s = this.session;
    if (!s) throw new ApiError(401, 'UNAUTHORIZED', 'not signed in');
    if (Date.parse(s.accessExpiresAt) - this.now() > this.margin) return s.accessToken;
    return (await this.refresh(s.accessToken)).accessToken;
  }

  /**
   * Exchanges the refresh token once. Concurrent callers share one refresh; other tabs wait on the
   * lock and then find the new tokens in the store. `stale` is the access token the caller found
   * not to work: if the stored one differs, someone already refreshed.
   */
  refresh(stale: string | null): Promise<StoredSession> {
    this.refreshing ??= this.lock(REFRESH_LOCK, async () => {
      const current = this.store.load();
      if (!current) throw new ApiError(401, 'UNAUTHORIZED', 'not signed in');
      if (current.accessToken !== stale && Date.parse(current.accessExpiresAt) - this.now() > this.margin) return current;
      let s: Session;
      try {
        s = await this.raw<Session>('POST', '/auth/refresh', { body: { refreshToken: current.refreshToken }, anonymous: true });
      } catch (err) {
        if (err instanceof ApiError && err.status >= 400 && err.status < 500) this.setSession(null);
        throw err;
      }
      const next = { accessToken: s.accessToken, accessExpiresAt: s.accessExpiresAt, refreshToken: s.refreshToken, user: s.user };
      this.setSession(next);
      return next;
    }).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** One request with the session's token; on 401 refreshes once and tries again. */
  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    if (opts.anonymous) return this.raw<T>(method, path, opts);
    const token = await this.token();
    try {
      return await this.raw<T>(method, path, opts, token);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) throw err;
      const renewed = await this.refresh(token);
      try {
        return await this.raw<T>(method, path, opts, renewed.accessToken);
      } catch (again) {
        if (again instanceof ApiError && again.status === 401) this.setSession(null);
        throw again;
      }
    }
  }

  get<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
    return this.request<T>('GET', path, { query, signal });
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, { body: body ?? {} });
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, { body });
  }

  del<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  /** A file behind the API as a Blob (for previews: an <img> or <iframe> cannot send the token). */
  async blob(path: string): Promise<Blob> {
    return this.request<Blob>('GET', path, { asBlob: true });
  }

  /** Uploads one file (multipart, field "file"); returns its id for a reply. */
  async upload(file: Blob, filename: string): Promise<UploadedFile> {
    const form = new FormData();
    form.append('file', file, filename);
    return this.request<UploadedFile>('POST', '/attachments', { body: form });
  }

  private async raw<T>(method: string, path: string, opts: RequestOptions, token?: string): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    let body: BodyInit | undefined;
    if (opts.body instanceof FormData) body = opts.body;
    else if (opts.body !== undefined && method !== 'GET') {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    let res: Response;
    try {
      res = await this.doFetch(`${this.base}${path}${buildQuery(opts.query)}`, { method, headers, body, signal: opts.signal });
    } catch (err) {
      if ((err as Error)?.name === 'AbortError') throw err;
      throw new ApiError(0, 'NETWORK', (err as Error)?.message || 'network error');
    }
    if (!res.ok) throw await errorOf(res);
    if (opts.asBlob) return (await res.blob()) as T;
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }
}
