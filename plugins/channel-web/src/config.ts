/**
 * The portal channel's configuration: defaults and the fastest-validator schema the core checks when
 * it loads the plugin. Every limit the public endpoints enforce is here.
 */

export interface WindowLimit {
  /** Requests allowed per client in any window of `windowSeconds` (a sliding window). */
  limit: number;
  windowSeconds: number;
}

export interface PortalConfig {
  /**
   * true: when the citizen gives an e-mail, answers and notices go by e-mail (replyTo channel
   * "email", 59-FZ art. 10 part 4) through the e-mail channel; the portal message box gets what has
   * no e-mail. false: everything goes to the portal message box (read on the status page).
   */
  replyByEmail: boolean;
  /** Site that portal and chat appeals are registered at (null: the core's default site). */
  siteCode: string | null;
  limits: {
    maxFiles: number;
    maxFileBytes: number;
    maxTotalBytes: number;
    /** Characters of the appeal text. */
    maxTextLength: number;
    maxSubjectLength: number;
    /** MIME types accepted for attachments (prefix match, "image/" takes every image); empty = any. */
    allowedTypes: string[];
  };
  rateLimits: {
    submit: WindowLimit;
    status: WindowLimit;
    chatOpen: WindowLimit;
    /** Per chat, for the citizen's messages. */
    chatMessage: WindowLimit;
  };
  identity: {
    /** HMAC key (at least 32 characters) of tokens from the city's identity provider; null: no identified sessions. */
    hmacSecret: string | null;
    issuer: string;
    audience: string;
    clockToleranceSeconds: number;
  };
  chat: {
    enabled: boolean;
    maxMessageLength: number;
    /** A citizen who lost the connection can resume this long; then the chat is closed as abandoned. */
    resumeWindowSeconds: number;
  };
  page: {
    /** Origins allowed to embed /portal/ in a frame (CSP frame-ancestors), e.g. https://www.city.ru. */
    frameAncestors: string[];
  };
  /** How long a repeated submission still returns the status secret of the first one. */
  resubmitWindowHours: number;
}

export const DEFAULTS: PortalConfig = {
  replyByEmail: true,
  siteCode: null,
  limits: {
    maxFiles: 5,
    maxFileBytes: 10 * 1024 * 1024,
    maxTotalBytes: 25 * 1024 * 1024,
    maxTextLength: 20_000,
    maxSubjectLength: 300,
    allowedTypes: [
      'application/pdf', 'image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/tiff', 'text/plain', 'application/rtf',
      'application/msword', 'application/vnd.openxmlformats-officedocument.', 'application/vnd.oasis.opendocument.', 'application/zip',
    ],
  },
  rateLimits: {
    submit: { limit: 5, windowSeconds: 600 },
    status: { limit: 30, windowSeconds: 600 },
    chatOpen: { limit: 5, windowSeconds: 600 },
    chatMessage: { limit: 30, windowSeconds: 60 },
  },
  identity: { hmacSecret: null, issuer: 'city-idp', audience: 'okno-portal', clockToleranceSeconds: 30 },
  chat: { enabled: true, maxMessageLength: 4000, resumeWindowSeconds: 900 },
  page: { frameAncestors: ["'self'"] },
  resubmitWindowHours: 24,
};

const windowLimit = { type: 'object', strict: true, props: { limit: 'number|integer|min:1|max:100000', windowSeconds: 'number|integer|min:1|max:86400' } };

export const configSchema: Record<string, unknown> = {
  replyByEmail: 'boolean',
  siteCode: { type: 'string', nullable: true, optional: true, max: 32 },
  limits: {
    type: 'object', strict: true,
    props: {
      maxFiles: 'number|integer|min:0|max:50',
      maxFileBytes: 'number|integer|positive',
      maxTotalBytes: 'number|integer|positive',
      maxTextLength: 'number|integer|min:100|max:1000000',
      maxSubjectLength: 'number|integer|min:10|max:500',
      allowedTypes: { type: 'array', items: 'string|min:1|max:120' },
    },
  },
  rateLimits: { type: 'object', strict: true, props: { submit: windowLimit, status: windowLimit, chatOpen: windowLimit, chatMessage: windowLimit } },
  identity: {
    type: 'object', strict: true,
    props: { hmacSecret: { type: 'string', nullable: true, optional: true, min: 32 }, issuer: 'string|min:1', audience: 'string|min:1', clockToleranceSeconds: 'number|integer|min:0|max:600' },
  },
  chat: { type: 'object', strict: true, props: { enabled: 'boolean', maxMessageLength: 'number|integer|min:1|max:100000', resumeWindowSeconds: 'number|integer|min:10|max:86400' } },
  page: { type: 'object', strict: true, props: { frameAncestors: { type: 'array', items: { type: 'string', pattern: /^('self'|'none'|\*|https?:\/\/[^\s;,']+)$/ } } } },
  resubmitWindowHours: 'number|min:0|max:720',
};
