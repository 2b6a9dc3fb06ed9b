import { Initial1764300000000 } from './1764300000000-initial.js';
import { KbSearch1764300000001 } from './1764300000001-kb-search.js';
import { EdgeFleet1764400000000, EdgeHeadsetBindings1764400000001 } from '../../edge/migration.js';

export { columns, createTable, isMysql } from './schema-dsl.js';
export const coreMigrations = [Initial1764300000000, KbSearch1764300000001, EdgeFleet1764400000000, EdgeHeadsetBindings1764400000001];
