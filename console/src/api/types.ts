/**
 * Shapes of the core's REST answers the console reads (see GET /api/openapi.json and the core's
 * services). Dates arrive as ISO strings.
 */
export type Role = 'operator' | 'supervisor' | 'planner' | 'technician' | 'admin';
export const ROLES: readonly Role[] = ['operator', 'supervisor', 'planner', 'technician', 'admin'];

export interface UserSkill {
  skill: string;
  proficiency: number;
}

export interface User {
  id: number;
  login: string;
  fullName: string;
  roles: Role[];
  siteId: number | null;
  active: boolean;
  locale: 'ru' | 'en';
  lastLoginAt: string | null;
  skills: UserSkill[];
}

export interface Session {
  accessToken: string;
  accessExpiresAt: string;
  refreshToken: string;
  refreshExpiresAt: string;
  user: User;
}

export type SiteKind = 'city' | 'okrug' | 'district';
export interface Site {
  id: number;
  code: string;
  name: string;
  kind: SiteKind;
  parentId: number | null;
  active: boolean;
}

export interface Organisation {
  id: number;
  code: string;
  name: string;
  shortName: string | null;
  email: string | null;
  siteId: number | null;
  active: boolean;
}

export interface Service {
  id: number;
  code: string;
  organisationId: number;
  name: string;
  procedure: string;
  requiredDocuments: string[];
  timeLimits: string;
  place: string;
  topic: string | null;
  active: boolean;
  updatedAt?: string;
}

export const APPEAL_STATUSES = ['received', 'registered', 'in_progress', 'deferred', 'suspended', 'redirected', 'answered', 'closed'] as const;
export type AppealStatus = (typeof APPEAL_STATUSES)[number];
export const OPEN_STATUSES: readonly AppealStatus[] = ['received', 'registered', 'in_progress', 'deferred', 'suspended'];
/** Appeals nobody works on yet. */
export const WAITING_STATUSES: readonly AppealStatus[] = ['received', 'registered'];
export const CLOSE_OUTCOMES = ['answered', 'no_answer_required', 'duplicate', 'court_returned', 'abusive', 'unreadable', 'withdrawn', 'consulted'] as const;
export type CloseOutcome = (typeof CLOSE_OUTCOMES)[number];

export type DueKind = 'register' | 'redirect' | 'answer' | 'secondLine';
export interface Due {
  kind: DueKind;
  at: string;
  state: 'ok' | 'nearDue' | 'overdue';
}

export interface AppealSummary {
  id: number;
  regNumber: string | null;
  channel: string;
  type: string;
  status: AppealStatus;
  siteId: number;
  serviceId: number | null;
  organisationId: number | null;
  topic: string | null;
  subject: string | null;
  priority: number;
  assignedUserId: number | null;
  receivedAt: string;
  registeredAt: string | null;
  registerBy: string;
  redirectBy: string | null;
  answerBy: string | null;
  secondLineBy: string | null;
  extensionDays: number | null;
  due: Due | null;
}

export interface Page<T> {
  total: number;
  rows: T[];
}

export interface AttachmentRef {
  id: number;
  filename: string;
  mime: string;
  size: number;
}

export interface Interaction {
  id: number;
  direction: 'in' | 'out' | 'internal';
  kind: 'message' | 'call' | 'fax' | 'chat' | 'note' | 'notice' | 'system';
  channel: string;
  at: string;
  authorUserId: number | null;
  subject: string | null;
  body: string;
  deliveryStatus: 'pending' | 'sending' | 'sent' | 'failed' | 'bounced' | null;
  deliveryError: string | null;
  meta: Record<string, unknown> | null;
  attachments: AttachmentRef[];
}

export interface NoticeRef {
  id: number;
  kind: string;
  channel: string | null;
  status: string;
  attempts: number;
  lastError: string | null;
  sentAt: string | null;
  createdAt: string;
}

export interface KbVersionRef {
  articleId: number;
  version: number;
}

export interface AppealCard extends AppealSummary {
  applicant: { id: number; kind: string; fullName: string | null; organisationName: string | null; contacts: { kind: string; value: string }[]; destroyed: boolean };
  earlierAppeals: { id: number; regNumber: string | null; status: AppealStatus; subject: string | null; receivedAt: string }[];
  site: { id: number; code: string; name: string } | null;
  service: { id: number; code: string; name: string } | null;
  organisation: { id: number; name: string } | null;
  redirectedTo: { id: number; name: string } | null;
  replyChannel: string | null;
  replyAddress: string | null;
  extensionReason: string | null;
  outcome: string | null;
  wrapUpCode: string | null;
  suspendReason: string | null;
  kbVersionsUsed: KbVersionRef[];
  interactions: Interaction[];
  notices: NoticeRef[];
}

export interface KbHit {
  articleId: number;
  title: string;
  version: number;
  serviceId: number | null;
  snippet: string;
  score: number;
}

export interface KbArticleSummary {
  id: number;
  title: string;
  serviceId: number | null;
  organisationId: number | null;
  currentVersion: number;
  status: string;
  createdAt: string;
  updatedAt: string;
}

/** An article as GET /api/kb/articles/:id gives it: title and body of the version asked for (the current one by default). */
export interface KbArticle extends KbArticleSummary {
  body: string;
  versions: { version: number; title: string; note: string | null; authorId: number | null; createdAt: string }[];
}

export interface UploadedFile {
  id: number;
  filename: string;
  mime: string;
  size: number;
  sha256: string;
}

export interface CalendarDay {
  date: string;
  working: boolean;
  short: boolean;
  kind: string;
  note: string | null;
  edited: boolean;
}

export interface CalendarYear {
  year: number;
  timeZone: string;
  days: CalendarDay[];
}

export interface PluginInfo {
  name: string;
  package: string;
  kind: string;
  version: string;
  description: string | null;
  services: string[];
  config: unknown;
  status: 'ok' | 'degraded' | 'down';
  checks: { service: string; status: string; error?: string; [k: string]: unknown }[];
}

export interface ChannelInfo {
  name: string;
  capabilities: { channel: string; inbound: boolean; outbound: boolean; attachments: boolean; realtime?: boolean; addressKind?: string; maxAttachmentBytes?: number } | null;
  health: { status: string; details?: Record<string, unknown> };
}

export interface DeliveryProblems {
  notices: { id: number; appealId: number; regNumber: string | null; siteId: number | null; kind: string; channel: string | null; status: string; attempts: number; lastError: string | null; nextAttemptAt: string | null }[];
  replies: { interactionId: number; appealId: number; regNumber: string | null; siteId: number | null; channel: string; status: string; attempts: number; error: string | null }[];
}

export interface DeadlineCount {
  siteId: number;
  overdue: number;
  nearDue: number;
}

export interface Settings {
  timeZone: string;
  deadlines: Record<string, unknown>;
  attachmentMaxBytes: number;
  version: string;
}

/** One journal row as the stream sends it (no personal data). */
export interface JournalEvent {
  seq: number;
  at: string;
  type: string;
  aggregateType: string;
  aggregateId: string | number;
  siteId: number | null;
  actorId: number | null;
  data: Record<string, unknown> | null;
}
