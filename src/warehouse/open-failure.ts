import { SyncError } from '../errors.ts'

/**
 * What went wrong opening (and migrating) the warehouse, as the error the CLI reports. A database
 * that does not exist or credentials PostgreSQL refuses are configuration (exit 2, with the fix);
 * anything else, an unreachable server say, is a warehouse failure that may pass (exit 1).
 */
export function describeOpenFailure(error: unknown, location: string): SyncError {
  if (error instanceof SyncError) return error
  const { code, message } = error as { code?: string; message?: string }
  const database = /database "([^"]+)" does not exist/.exec(message ?? '')?.[1]
  // 3D000 invalid_catalog_name: the server is there, the database is not
  if (code === '3D000' && database)
    return new SyncError(
      'config_invalid',
      `the warehouse at ${location} cannot be opened: database "${database}" does not exist. ` +
        `Create it (\`createdb ${database}\`, or \`CREATE DATABASE "${database}"\` in psql), or correct DATABASE_URL; then run \`crmsync init\``,
      { cause: error },
    )
  // 28P01 invalid_password, 28000 invalid_authorization_specification (pg_hba.conf refused us)
  if (code === '28P01' || code === '28000')
    return new SyncError('config_invalid', `the warehouse at ${location} refused the credentials of DATABASE_URL: ${message}`, { cause: error })
  return new SyncError('warehouse_failed', `cannot prepare the warehouse at ${location}: ${message ?? String(error)}`, { cause: error })
}
