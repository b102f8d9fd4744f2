import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './src/database/data-source-options';

/**
 * The DataSource the app and the TypeORM CLI share (`npm run typeorm -- migration:show`). The CLI needs a
 * server: set DATABASE_URL. The app itself also runs on the embedded database, which it starts on its own.
 */
const url = process.env.DATABASE_URL;
if (!url) {
  throw new Error('ormconfig: set DATABASE_URL (postgres://user:password@host:port/database) to use the TypeORM CLI');
}

export default new DataSource(dataSourceOptions(url));
