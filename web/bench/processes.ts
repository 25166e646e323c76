import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { cpuMicros } from '../../server/bench/lib/processes';

/** The parent pid of `pid` from /proc, or null when it has gone. */
function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

/**
 * User + system CPU time of `pid` and every process under it, in microseconds: `next start`
 * may serve from a child process. A child that exits meanwhile takes its time with it.
 */
export function cpuMicrosOfTree(pid: number): number {
  const pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
  const tree = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const candidate of pids) {
      const parent = parentOf(candidate);
      if (!tree.has(candidate) && parent !== null && tree.has(parent)) {
        tree.add(candidate);
        grew = true;
      }
    }
  }
  let total = 0;
  for (const member of tree) {
    try {
      total += cpuMicros(member);
    } catch {
      // Gone since the listing.
    }
  }
  return total;
}

/** Redis's `total_commands_processed` (INFO stats), over a plain connection to 127.0.0.1:port. */
export function redisCommands(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
      const found = /total_commands_processed:(\d+)/.exec(text);
      if (found) {
        socket.destroy();
        resolve(Number(found[1]));
      }
    });
    socket.on('error', reject);
    socket.write('INFO stats\r\n');
  });
}
