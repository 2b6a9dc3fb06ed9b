import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isMysql } from './schema-dsl.js';

/**
 * Full-text index of the knowledge base over stemmed words (see search/russian-text.ts): FTS5 on
 * SQLite, an InnoDB FULLTEXT index on MySQL/MariaDB. The same stems go into both, so the same query
 * finds the same articles on either database.
 */
export class KbSearch1764300000001 implements MigrationInterface {
  name = 'KbSearch1764300000001';

  async up(qr: QueryRunner): Promise<void> {
    if (isMysql(qr)) {
      // No stop words: the same terms must be searchable on MySQL as on SQLite.
      await qr.query('SET SESSION innodb_ft_enable_stopword = OFF');
      await qr.query(
        'CREATE TABLE `kb_search` (`articleId` INT NOT NULL PRIMARY KEY, `stems` MEDIUMTEXT NOT NULL, FULLTEXT KEY `FT_kb_search_stems` (`stems`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci',
      );
    } else {
      await qr.query(`CREATE VIRTUAL TABLE "kb_search" USING fts5("stems", "articleId" UNINDEXED, tokenize = 'unicode61 remove_diacritics 0')`);
    }
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query(isMysql(qr) ? 'DROP TABLE `kb_search`' : 'DROP TABLE "kb_search"');
  }
}
