/**
 * Live portal chats (plugin @okno/channel-web, docs/channels/portal.md), the operator's side:
 *
 *   GET  /api/portal/chats                     open chats (waiting and active); 404 when the plugin is not installed
 *   GET  /api/portal/chats/:chatId             the citizen's name and the transcript (audited read)
 *   POST /api/portal/chats/:chatId/join        take the chat (its appeal is assigned to you); { takeOver } for a supervisor
 *   POST /api/portal/chats/:chatId/messages    { text, clientMsgId? }
 *   POST /api/portal/chats/:chatId/typing
 *   POST /api/portal/chats/:chatId/close       the appeal stays open
 *
 * Frames over the stream: portal.chat.waiting {chatId, appealId, regNumber} (desk roles),
 * portal.chat.activity {chatId, appealId, seq} (before a join), portal.chat.message {chatId, appealId,
 * seq, from, text, at, clientMsgId} (the chat's operator), portal.chat.typing {chatId, from},
 * portal.chat.presence {chatId, online}, portal.chat.joined {chatId, appealId, userId},
 * portal.chat.taken {chatId, byUserId}, portal.chat.closed {chatId, appealId, by}.
 */
import { ApiError, type ApiClient } from './http.ts';

export interface ChatLine {
  seq: number;
  from: 'citizen' | 'operator';
  text: string;
  at: string;
  clientMsgId: string | null;
}

export interface OpenChat {
  chatId: string;
  appealId: number;
  regNumber: string | null;
  status: 'waiting' | 'active' | 'closed';
  operatorUserId: number | null;
  openedAt: string;
  joinedAt: string | null;
  lastSeenAt: string;
  siteId: number;
  waitingSeconds: number | null;
}

export interface ChatView {
  chatId: string;
  appealId: number;
  regNumber: string | null;
  status: 'waiting' | 'active' | 'closed';
  operatorUserId?: number | null;
  citizenName: string | null;
  lines: ChatLine[];
}

export function isChatFrame(f: { type: string }): boolean {
  return f.type.startsWith('portal.chat.');
}

/** Adds a line to a transcript unless it is there already (by seq), keeping the order. */
export function mergeLine(lines: ChatLine[], line: ChatLine): ChatLine[] {
  if (lines.some((l) => l.seq === line.seq)) return lines;
  return [...lines, line].sort((a, b) => a.seq - b.seq);
}

export function chatApi(api: ApiClient) {
  const path = (chatId: string, tail = '') => `/portal/chats/${encodeURIComponent(chatId)}${tail}`;
  return {
    /** Open chats, or null when the portal plugin is not installed. */
    async list(): Promise<OpenChat[] | null> {
      try {
        return await api.get<OpenChat[]>('/portal/chats');
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }
    },
    view: (chatId: string) => api.get<ChatView>(path(chatId)),
    join: (chatId: string, takeOver = false) => api.post<ChatView>(path(chatId, '/join'), takeOver ? { takeOver } : {}),
    say: (chatId: string, text: string, clientMsgId: string) => api.post<ChatLine>(path(chatId, '/messages'), { text, clientMsgId }),
    typing: (chatId: string) => api.post(path(chatId, '/typing')),
    close: (chatId: string) => api.post(path(chatId, '/close')),
  };
}

export type ChatApi = ReturnType<typeof chatApi>;
