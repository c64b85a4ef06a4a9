/**
 * The guardian: one small detached process per Station process that has started MCP servers. It ends
 * their process groups if Station dies without ending them itself (kill -9, the OOM killer), which no
 * signal or exit hook can do. It reads a pipe from Station: a line when a group starts, another once it
 * has ended. The end of that pipe means Station is gone (the kernel closes it whatever killed the
 * process): the guardian then sends SIGTERM to every group still listed, SIGKILL to those left after a
 * grace, and exits. It runs in its own session, so Ctrl-C at the terminal does not reach it, and it holds
 * no terminal or output of Station's.
 */
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import type { ProcessStart } from '../os/process-identity.js';
import { childProcess } from '../os/builtins-on-use.js';

/** Grace between SIGTERM and SIGKILL once Station is gone. */
export const GUARDIAN_GRACE_MS = 1000;

/**
 * The guardian program, a POSIX shell script (a shell costs a millisecond and a megabyte; node would
 * cost tens of each), run as `/bin/sh -c SCRIPT stn-mcp-guardian STEPS`. Lines are `+ PGID TICKS` and
 * `- PGID`; at the end of input, every group still listed gets SIGTERM, then SIGKILL if any process of it
 * is left after STEPS x 50 ms. On Linux a group whose leader is alive with another start tick has ended
 * and its pid been reused: it is left alone.
 */
const GUARDIAN_SCRIPT = `: stn-mcp-guardian
trap '' INT HUP
steps=$1
l=' '
while read -r op g t; do
  case $g in '' | *[!0-9]*) continue ;; esac
  [ "$g" -gt 1 ] || continue
  case $l in *" $g:"*) post=\${l#* $g:}; l="\${l%% $g:*} \${post#* }" ;; esac
  [ "$op" = + ] && l="$l$g:$t "
done
targets=
for e in $l; do
  g=\${e%%:*}
  t=\${e#*:}
  if [ -n "$t" ] && read -r s < "/proc/$g/stat"; then
    set -- \${s##*) }
    [ "\${20}" = "$t" ] || continue
  fi
  targets="$targets $g"
done
for g in $targets; do kill -s TERM -- "-$g" 2>/dev/null; done
n=0
while [ -n "$targets" ] && [ "$n" -lt "$steps" ]; do
  sleep 0.05
  n=$((n + 1))
  left=
  for g in $targets; do kill -s 0 -- "-$g" 2>/dev/null && left="$left $g"; done
  targets=$left
done
for g in $targets; do kill -s KILL -- "-$g" 2>/dev/null; done
`;

interface Channel {
  child: ChildProcess;
  stdin: Socket;
}

let channel: Channel | undefined;
let opening: NodeJS.Immediate | undefined;
/** Groups this process is guarding (pgid → start tick), sent again to a guardian started anew. */
const guarded = new Map<number, string>();

/**
 * Has the guardian end this process group should this process die first. Returns the function to call
 * once the group has ended. Nothing happens where there are no process groups (Windows) or when the
 * guardian cannot be started: Station then relies on its exit hooks and on the records of the home.
 */
export function guardGroup(pgid: number, start: ProcessStart): () => void {
  if (process.platform === 'win32') return () => undefined;
  const ticks = start.ticks === undefined ? '' : String(start.ticks);
  guarded.set(pgid, ticks);
  if (channel !== undefined) {
    write(`+ ${String(pgid)} ${ticks}\n`);
  } else {
    // The guardian starts on the next turn of the event loop, while the server boots (so it is not in its
    // way), and is told every group guarded by then.
    opening ??= setImmediate(() => {
      opening = undefined;
      open();
    });
  }
  return () => {
    if (guarded.delete(pgid) && channel !== undefined) write(`- ${String(pgid)}\n`);
  };
}

/** The pid of this process's guardian, once one has started. */
export function guardianPid(): number | undefined {
  return channel?.child.pid;
}

function write(text: string): void {
  // A small write to a pipe completes at once, so a group is listed before anything can kill Station.
  if (channel !== undefined && !channel.stdin.destroyed) channel.stdin.write(text);
}

/** Starts a guardian (again, if the last one has gone) and lists every group guarded so far. */
function open(): void {
  let child: ChildProcess;
  try {
    child = childProcess().spawn(
      '/bin/sh',
      ['-c', GUARDIAN_SCRIPT, 'stn-mcp-guardian', String(GUARDIAN_GRACE_MS / 50)],
      {
        stdio: ['pipe', 'ignore', 'ignore'],
        detached: true,
        env: { PATH: '/usr/bin:/bin' },
      },
    );
  } catch {
    return;
  }
  const stdin = child.stdin as Socket | null;
  if (stdin === null) return;
  const current: Channel = { child, stdin };
  const drop = (): void => {
    if (channel === current) channel = undefined;
  };
  child.once('error', drop);
  child.once('exit', drop);
  stdin.on('error', drop);
  // Neither the guardian nor its pipe keeps Station running.
  child.unref();
  stdin.unref();
  channel = current;
  write([...guarded].map(([pgid, ticks]) => `+ ${String(pgid)} ${ticks}\n`).join(''));
}
