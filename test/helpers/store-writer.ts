// A writer in its own process, for the store contract's test of several processes at once: opens the store of
// STORE_LOCATION (a SQLite file or a PostgreSQL URL), records one run of 60 events in steps of 3 with an audit
// record every third step, and prints the run's id.
import { openDatabase } from '../../src/core/store/database.js';
import { openPostgres } from '../../src/core/store/open-store.js';
import { RunRepo } from '../../src/core/store/run-repo.js';
import { AuditLog } from '../../src/core/security/audit-log.js';

const location = JSON.parse(process.env.STORE_LOCATION ?? '{}') as { kind: string; file?: string; url?: string };
const db = location.kind === 'postgres' ? openPostgres(location.url ?? '') : openDatabase(location.file ?? '');
const name = process.env.WRITER_NAME ?? 'writer';
const repo = new RunRepo(db);
const audit = new AuditLog(db);
const id = repo.insertQueued({
  agentName: name,
  environmentName: 'default',
  input: {},
  model: 'm',
  pid: process.pid,
  now: Date.now(),
});
repo.markRunning(id, Date.now(), process.pid);
let seq = 0;
for (let step = 1; step <= 20; step++) {
  const events = [1, 2, 3].map(() => {
    seq += 1;
    return { runId: id, seq, type: 'tool.finished' as const, ts: Date.now(), dataJson: JSON.stringify({ name, seq }) };
  });
  const tokens = { input: step, output: step, total: 2 * step };
  if (step === 20) {
    repo.finishWithEvents(
      id,
      {
        steps: step,
        toolCalls: seq,
        tokens,
        status: 'completed',
        stopReason: 'final_answer',
        output: 'ok',
        error: null,
        finishedAt: Date.now(),
        durationMs: 1,
      },
      events,
    );
  } else {
    repo.appendBatch(events, { runId: id, progress: { steps: step, toolCalls: seq, tokens } });
  }
  audit.record({ actor: name, door: 'cli', action: 'test.write', target: String(step) });
}
db.close();
process.stdout.write(`${String(id)}\n`);
