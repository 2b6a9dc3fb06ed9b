/**
 * Keyboard shortcuts of the desk. Keys are matched by their physical position (KeyboardEvent.code),
 * so Alt+A is the same key on a Russian layout, where it types "ф".
 */
export type ShortcutId = 'accept' | 'reject' | 'reply' | 'kb' | 'send' | 'note' | 'close' | 'list' | 'pause' | 'help';

export interface Shortcut {
  id: ShortcutId;
  code: string;
  alt: boolean;
  shift?: boolean;
  /** What the help shows. */
  label: string;
  /** Fires while typing in a field (Alt combinations do; the "?" key does not). */
  whileTyping: boolean;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { id: 'accept', code: 'KeyA', alt: true, label: 'Alt+A', whileTyping: true },
  { id: 'reject', code: 'KeyD', alt: true, label: 'Alt+D', whileTyping: true },
  { id: 'reply', code: 'KeyR', alt: true, label: 'Alt+R', whileTyping: true },
  { id: 'kb', code: 'KeyK', alt: true, label: 'Alt+K', whileTyping: true },
  { id: 'send', code: 'Enter', alt: true, label: 'Alt+Enter', whileTyping: true },
  { id: 'note', code: 'KeyN', alt: true, label: 'Alt+N', whileTyping: true },
  { id: 'close', code: 'KeyW', alt: true, label: 'Alt+W', whileTyping: true },
  { id: 'list', code: 'KeyL', alt: true, label: 'Alt+L', whileTyping: true },
  { id: 'pause', code: 'KeyP', alt: true, label: 'Alt+P', whileTyping: true },
  { id: 'help', code: 'Slash', alt: false, shift: true, label: '?', whileTyping: false },
];

export interface KeyLike {
  code: string;
  key: string;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
}

/** The shortcut an event means, or null. `typing`: the focus is in a text field. */
export function matchShortcut(e: KeyLike, typing: boolean): ShortcutId | null {
  if (e.ctrlKey || e.metaKey) return null;
  for (const s of SHORTCUTS) {
    if (typing && !s.whileTyping) continue;
    if (s.id === 'help') {
      if (!e.altKey && (e.key === '?' || (e.code === 'Slash' && e.shiftKey))) return 'help';
      continue;
    }
    if (s.alt === e.altKey && e.code === s.code && (s.shift ?? false) === e.shiftKey) return s.id;
  }
  return null;
}

/** Whether an element is a place where keys type text. */
export function isTypingTarget(el: { tagName?: string; isContentEditable?: boolean; type?: string } | null): boolean {
  if (!el?.tagName) return false;
  const tag = el.tagName.toLowerCase();
  if (tag === 'textarea' || el.isContentEditable) return true;
  if (tag !== 'input') return false;
  return !['button', 'checkbox', 'radio', 'submit', 'reset', 'range', 'color', 'file'].includes((el.type ?? 'text').toLowerCase());
}
