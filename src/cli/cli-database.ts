import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { ConfigError, loadConfig } from '../config/config';
import { dataSourceOptions } from '../database/data-source-options';
import { DatabaseUnreachableError, migrateDatabase, openDatabase } from '../database/database';
import { DataDirectoryInUseError, DataDirectoryUnusableError } from '../database/embedded-database';

/**
 * Runs `work` on the configured database (embedded or DATABASE_URL), migrated first, with one connection,
 * and closes everything afterwards: what every command-line tool of the gateway needs.
 */
export async function withCliDatabase<T>(work: (ds: DataSource) => Promise<T>): Promise<T> {
  const db = await openDatabase(loadConfig(), { log: (message) => process.stderr.write(`${message}\n`) });
  try {
    await migrateDatabase(db.url);
    const ds = new DataSource(dataSourceOptions(db.url, { poolSize: 1 }));
    await ds.initialize();
    try {
      return await work(ds);
    } finally {
      await ds.destroy();
    }
  } finally {
    await db.stop();
  }
}

/**
 * The process around a command: its exit code, or 2 with the message for a configuration error, a data
 * directory another process holds (`inUseHint` says what to do then) or a database server that does not answer
 * or refuses the credentials, or 1 with the stack.
 */
export function runCli(command: (out: (line: string) => void) => Promise<number>, inUseHint?: string): void {
  command((line) => process.stdout.write(`${line}\n`))
    .then((code) => process.exit(code))
    .catch((err) => {
      if (err instanceof ConfigError || err instanceof DataDirectoryInUseError || err instanceof DataDirectoryUnusableError || err instanceof DatabaseUnreachableError) {
        process.stderr.write(`${err.message}\n`);
        if (err instanceof DataDirectoryInUseError && inUseHint) process.stderr.write(`${inUseHint}\n`);
        process.exit(2);
      }
      process.stderr.write(`${err?.stack ?? err}\n`);
      process.exit(1);
    });
}
