import { Entity, PrimaryGeneratedColumn, Column, Index } from 'typeorm';
import { InstantColumn } from '../columns.js';

export type ArticleStatus = 'published' | 'archived';

/** A knowledge-base article; its text lives in versions, the newest being current. */
@Entity('kb_articles')
export class KbArticle {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 400 }) title!: string;
  @Column({ type: 'integer', nullable: true }) @Index('IDX_kb_articles_serviceId') serviceId!: number | null;
  /** The body responsible for the article's content. */
  @Column({ type: 'integer', nullable: true }) organisationId!: number | null;
  @Column({ type: 'integer' }) currentVersion!: number;
  @Column({ type: 'varchar', length: 16, default: 'published' }) status!: ArticleStatus;
  @InstantColumn() createdAt!: Date;
  @InstantColumn() updatedAt!: Date;
}

/** One dated version of an article. Appeals record which version an operator used. */
@Entity('kb_article_versions')
@Index('IDX_kb_article_versions_articleId_version', ['articleId', 'version'], { unique: true })
export class KbArticleVersion {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'integer' }) articleId!: number;
  @Column({ type: 'integer' }) version!: number;
  @Column({ type: 'varchar', length: 400 }) title!: string;
  @Column({ type: 'text' }) body!: string;
  @Column({ type: 'varchar', length: 400, nullable: true }) note!: string | null;
  @Column({ type: 'integer', nullable: true }) authorId!: number | null;
  @InstantColumn() createdAt!: Date;
}
