/**
 * The API gateway (moleculer-web): REST under /api with JWT authentication and a role check on every
 * route, the OpenAPI document at /api/openapi.json, the journal stream over WebSocket at /api/stream,
 * and the console's static files at /.
 */
import type { IncomingMessage, ServerResponse, Server } from 'node:http';
import type { ServiceSchema, Context } from 'moleculer';
import ApiGateway from 'moleculer-web';
import { existsSync } from 'node:fs';
import type { CoreContext } from '../kernel/context.js';
import { allowed, type ApiMeta, type AuthPolicy, type SessionUser } from './action.js';
import { sendApiError } from './errors.js';
import { buildOpenApi, type PublishedAction } from './openapi.js';
import type { TokenIssuer } from './tokens.js';
import { JournalStream } from './stream.js';
import { unauthorized, forbidden, tooLarge, DomainError } from '../domain/errors.js';

export interface GatewayOptions {
  tokens: TokenIssuer;
  consoleDir: string | null;
  version: string;
  rateLimit?: { window: number; limit: number };
}

/** Every action published over REST, from the registry (so remote nodes' actions count too). */
export function publishedActions(ctx: { broker: { registry: { getServiceList(o: object): any[] } } }): PublishedAction[] {
  const out: PublishedAction[] = [];
  const seen = new Set<string>();
  for (const svc of ctx.broker.registry.getServiceList({ withActions: true, grouping: true })) {
    const base = typeof svc.settings?.rest === 'string' ? svc.settings.rest : `/${svc.name}`;
    if (svc.name === 'api') continue; // the gateway's own helper actions are not part of the API
    for (const action of Object.values<any>(svc.actions ?? {})) {
      if (!action.rest || seen.has(action.name)) continue;
      if (action.visibility != null && action.visibility !== 'published') continue;
      seen.add(action.name);
      const rests = Array.isArray(action.rest) ? action.rest : [action.rest];
      for (const r of rests) {
        const rest = typeof r === 'string' ? r : `${r.method ?? 'GET'} ${r.path}`;
        const [m, p] = rest.includes(' ') ? rest.split(/\s+/) : ['GET', rest];
        out.push({ name: action.name, service: svc.name, rest: `${m} ${`${base}/${p}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1')}`, auth: action.auth, summary: action.summary, tag: action.tag, upload: action.upload, params: action.params });
      }
    }
  }
  return out;
}

function clientIp(req: IncomingMessage): string | null {
  return req.socket?.remoteAddress ?? null;
}

export function gatewayService(core: CoreContext, opts: GatewayOptions): ServiceSchema {
  const consoleDir = opts.consoleDir && existsSync(opts.consoleDir) ? opts.consoleDir : null;
  let stream: JournalStream | null = null;
  return {
    name: 'api',
    mixins: [ApiGateway as unknown as ServiceSchema],
    settings: {
      port: core.config.http.port,
      ip: core.config.http.host,
      log4XXResponses: false,
      logRequest: 'debug',
      logResponse: 'debug',
      logRequestParams: null,
      logResponseData: null,
      optimizeOrder: true,
      logRouteRegistration: 'debug',
      debounceTime: 100,
      routes: [
        {
          name: 'meta',
          path: '/api',
          authentication: false,
          authorization: false,
          aliases: {
            'GET /openapi.json'(this: any, _req: IncomingMessage, res: ServerResponse) {
              const doc = buildOpenApi(publishedActions(this), { title: 'Okno API', version: opts.version, basePath: '/api' });
              res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
              res.end(JSON.stringify(doc));
            },
          },
        },
        {
          name: 'rest',
          path: '/api',
          authentication: true,
          authorization: true,
          autoAliases: true,
          mappingPolicy: 'restrict',
          // moleculer-web's own alias listing is not part of the API.
          blacklist: ['api.listAliases'],
          bodyParsers: { json: { limit: core.config.http.bodyLimit, strict: true }, urlencoded: false },
          busboyConfig: { limits: { files: 1, fileSize: core.config.attachments.maxBytes, fieldSize: 64 * 1024, fields: 20 } },
          ...(opts.rateLimit ? {} : {}),
          onBeforeCall(ctx: Context<unknown, ApiMeta>, _route: unknown, req: IncomingMessage) {
            ctx.meta.ip = clientIp(req);
            // Actions that take the raw body (alias type "stream", e.g. a multipart form) need its type.
            ctx.meta.contentType = req.headers['content-type'] ?? null;
          },
          onError(this: any, req: IncomingMessage, res: ServerResponse, err: unknown) {
            const e = err as { name?: string; data?: { filename?: string } };
            // moleculer-web's multipart limit fires before the action can say which limit: say it here.
            if (e?.name === 'PayloadTooLarge') err = tooLarge(`attachment "${e.data?.filename ?? 'file'}" is larger than the limit of ${core.config.attachments.maxBytes} bytes`, { limit: core.config.attachments.maxBytes });
            sendApiError(req, res, err, this.logger);
          },
        },
      ],
      ...(consoleDir ? { assets: { folder: consoleDir, options: { index: 'index.html', maxAge: '1h' } } } : {}),
      onError(this: any, req: IncomingMessage, res: ServerResponse, err: unknown) {
        sendApiError(req, res, err, this.logger);
      },
    } as ServiceSchema['settings'],
    methods: {
      /** Builds the REST aliases now (moleculer-web otherwise waits for a debounced registry event). */
      refreshAliases(this: any) {
        for (const route of this.routes) if (route.opts.autoAliases) this.regenerateAutoAliases(route);
      },
      async authenticate(_ctx: Context, _route: unknown, req: IncomingMessage & { $action?: { auth?: AuthPolicy } }): Promise<SessionUser | null> {
        const header = req.headers.authorization;
        if (!header) return null;
        const m = /^Bearer\s+(\S+)$/i.exec(header);
        if (!m) throw unauthorized('the Authorization header must be "Bearer <access token>"');
        const user = await opts.tokens.verify(m[1]!);
        if (!user) throw unauthorized('the access token is invalid or expired; sign in again or refresh it');
        return user;
      },
      async authorize(this: any, ctx: Context<unknown, ApiMeta>, _route: unknown, req: IncomingMessage & { $action?: { name?: string; auth?: AuthPolicy } }) {
        const policy = req.$action?.auth;
        switch (allowed(policy, ctx.meta.user)) {
          case 'ok':
            return;
          case 'unauthenticated':
            throw unauthorized();
          case 'forbidden':
            throw forbidden(`this needs one of the roles: ${(policy as readonly string[]).join(', ')}`);
          default:
            this.logger.error(`action ${req.$action?.name} is published without an auth policy; refusing`);
            throw new DomainError('this route has no access policy and is closed', 403, 'NO_POLICY');
        }
      },
    },
    started(this: any) {
      stream = new JournalStream((this as { server: Server }).server, { tokens: opts.tokens, logger: this.logger, core });
    },
    async stopped() {
      await stream?.close();
    },
    events: {
      '**': {
        handler(ctx: Context<unknown>) {
          if (!ctx.eventName?.startsWith('$')) stream?.onEvent(ctx.eventName!, ctx.params);
        },
      },
    },
  };
}
