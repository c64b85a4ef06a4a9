import { UsageError } from '../errors.js';
import { yaml } from './yaml-lib.js';

/** How often Litestream ships new WAL frames to the replica. */
export const LITESTREAM_SYNC_INTERVAL = '10s';
/** How long Litestream keeps snapshots and WAL in the replica (point-in-time recovery window). */
export const LITESTREAM_RETENTION = '24h';

/**
 * A replica URL `stn init --litestream` accepts: `s3://BUCKET/PATH` (S3 or an S3-compatible store; credentials
 * from LITESTREAM_ACCESS_KEY_ID/LITESTREAM_SECRET_ACCESS_KEY or AWS_*) or `file:///ABSOLUTE/FOLDER`.
 * Returns the URL trimmed; throws a UsageError naming what was expected otherwise.
 */
export function checkLitestreamUrl(value: string): string {
  const url = value.trim();
  const hints = [
    'Give an S3 bucket and path (--litestream s3://my-bucket/station) or an absolute folder (--litestream file:///backups/station).',
  ];
  const s3 = /^s3:\/\/([^/\s]+)(\/\S*)?$/.exec(url);
  if (s3 !== null) {
    const bucket = s3[1] ?? '';
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
      throw new UsageError(
        `--litestream: "${bucket}" is not an S3 bucket name (3-63 lowercase letters, digits, dots and dashes)`,
        { hints },
      );
    }
    return url;
  }
  const file = /^file:\/\/(\S*)$/.exec(url);
  if (file !== null) {
    const path = file[1] ?? '';
    if (!path.startsWith('/') || path === '/') {
      throw new UsageError(
        `--litestream: ${JSON.stringify(url)} needs an absolute folder after file:// (file:///backups/station)`,
        { hints },
      );
    }
    return url;
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1];
  if (scheme?.toLowerCase() === 's3') {
    throw new UsageError(`--litestream: ${JSON.stringify(url)} needs a bucket after s3:// (s3://BUCKET/PATH)`, {
      hints,
    });
  }
  throw new UsageError(
    scheme === undefined
      ? `--litestream: expected a replica URL (s3://... or file://...), got ${JSON.stringify(url)}`
      : `--litestream: replica URLs with "${scheme}://" are not supported; expected s3:// or file://`,
    { hints },
  );
}

/**
 * The litestream.yml for a home's station.db: one replica at `url`, synced every 10 s, kept 24 h. Litestream
 * expands $VAR in it, so credentials stay in the environment, never in the file.
 */
export function litestreamConfigYaml(databasePath: string, url: string): string {
  const body = yaml().stringify({
    dbs: [
      {
        path: databasePath,
        replicas: [
          { url: checkLitestreamUrl(url), 'sync-interval': LITESTREAM_SYNC_INTERVAL, retention: LITESTREAM_RETENTION },
        ],
      },
    ],
  });
  return (
    '# Written by `stn init --litestream`: Litestream replicates station.db to the URL below.\n' +
    '# The container entrypoint (deploy/entrypoint.sh) restores station.db from it when the file is missing,\n' +
    '# then runs `stn serve` under `litestream replicate -exec`. S3 credentials come from the environment\n' +
    '# (LITESTREAM_ACCESS_KEY_ID / LITESTREAM_SECRET_ACCESS_KEY), never from this file.\n' +
    body
  );
}
