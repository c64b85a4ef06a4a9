import { BaseCommand } from '../../cli/base-command.js';
import { formatAge, formatTable } from '../../cli/output.js';
import type { ApiKeyInfo } from '../../core/index.js';

export default class KeyList extends BaseCommand<typeof KeyList> {
  static override summary = 'List API keys (never their secrets).';
  static override description =
    'STATUS is active, rotated (replaced; works until EXPIRES, the grace period), expired or revoked. LAST USED is recorded at most once a minute per key.';
  static override examples = [
    '<%= config.bin %> key list',
    '<%= config.bin %> key list --json | jq -r ".[] | select(.status==\\"active\\") | .name"',
  ];

  async run(): Promise<ApiKeyInfo[]> {
    const keys = this.api().keys.list();
    if (keys.length === 0) {
      this.say('No API keys. Create one with: stn key create NAME --role admin');
      return keys;
    }
    this.say(() =>
      formatTable(
        keys,
        [
          { header: 'ID', get: (k) => String(k.id), align: 'right' },
          { header: 'NAME', get: (k) => k.name },
          { header: 'KEY', get: (k) => k.display },
          { header: 'ROLE', get: (k) => k.role },
          { header: 'ENVIRONMENTS', get: (k) => k.environments.join(',').replace('*', 'all') },
          { header: 'STATUS', get: (k) => k.status },
          { header: 'CREATED', get: (k) => formatAge(k.createdAt) },
          { header: 'LAST USED', get: (k) => formatAge(k.lastUsedAt) },
          {
            header: 'EXPIRES',
            get: (k) => (k.expiresAt === null ? 'never' : k.expiresAt.replace('T', ' ').slice(0, 16)),
          },
        ],
        this.style.bold,
      ),
    );
    return keys;
  }
}
