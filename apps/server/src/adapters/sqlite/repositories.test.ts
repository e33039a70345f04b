import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeRepositories } from '../repositories.suite.ts';
import { openDatabase } from './open.ts';
import { SqliteDatabase } from './sqlite-database.ts';

describeRepositories('SQLite (a real file, WAL)', async () => new SqliteDatabase(openDatabase(mkdtempSync(join(tmpdir(), 'invigil-repos-')))));
