import { Site } from './site.js';
import { Organisation, Service } from './registry.js';
import { KbArticle, KbArticleVersion } from './kb.js';
import { Applicant, ContactPoint } from './applicant.js';
import { Appeal } from './appeal.js';
import { Interaction, InteractionAttachment, Attachment } from './interaction.js';
import { Notice } from './notice.js';
import { User, Skill, UserSkill, RefreshToken } from './user.js';
import { AuditEntry, DestructionAct } from './audit.js';
import { JournalEntry, JournalCursor, Lease } from './journal.js';
import { CalendarDay } from './calendar.js';
import { edgeEntities } from '../../edge/entities.js';

export * from './site.js';
export * from './registry.js';
export * from './kb.js';
export * from './applicant.js';
export * from './appeal.js';
export * from './interaction.js';
export * from './notice.js';
export * from './user.js';
export * from './audit.js';
export * from './journal.js';
export * from './calendar.js';
export * from '../../edge/entities.js';

export const coreEntities = [
  Site, Organisation, Service, KbArticle, KbArticleVersion, Applicant, ContactPoint, Appeal, Interaction,
  InteractionAttachment, Attachment, Notice, User, Skill, UserSkill, RefreshToken, AuditEntry, DestructionAct,
  JournalEntry, JournalCursor, Lease, CalendarDay, ...edgeEntities,
];
