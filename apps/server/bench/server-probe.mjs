// Preload for `pnpm bench` (loaded into the server under test with NODE_OPTIONS=--import, because
// Node refuses --cpu-prof there). It gives the bench two probes from inside the server process,
// requested by writing a command to $INVIGIL_PROBE_DIR/command and sending SIGUSR2:
//   gc   full garbage collection, then writes gc-<n>.json: process.memoryUsage() and VmRSS (KiB)
//   cut  (with INVIGIL_CPU_PROF=1) ends the current CPU profile segment, writes it as
//        segment-<n>.cpuprofile (Chrome DevTools format) and starts the next one
// Without INVIGIL_PROBE_DIR it does nothing. The server's code is not touched.
import { Session } from 'node:inspector';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.INVIGIL_PROBE_DIR;
if (dir) {
  const profiling = process.env.INVIGIL_CPU_PROF === '1';
  const session = new Session();
  session.connect();
  // A same-thread inspector session answers synchronously (also inside 'exit').
  const post = (method, params) => {
    let out;
    session.post(method, params, (err, res) => {
      if (err) throw err;
      out = res;
    });
    return out;
  };
  // Written whole, then renamed: the bench never reads a half-written file.
  const put = (name, text) => {
    writeFileSync(join(dir, `${name}.tmp`), text);
    renameSync(join(dir, `${name}.tmp`), join(dir, name));
  };
  let segment = 0;
  let gcs = 0;
  const cut = () => {
    const { profile } = post('Profiler.stop');
    put(`segment-${segment++}.cpuprofile`, JSON.stringify(profile));
  };
  if (profiling) {
    post('Profiler.enable');
    post('Profiler.setSamplingInterval', { interval: 500 });
    post('Profiler.start');
    process.on('exit', cut);
  }
  process.on('SIGUSR2', () => {
    const command = readFileSync(join(dir, 'command'), 'utf8').trim();
    if (command === 'gc') {
      post('HeapProfiler.collectGarbage');
      const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
      put(`gc-${gcs++}.json`, JSON.stringify({ ...process.memoryUsage(), rssKiB }));
    } else if (command === 'cut' && profiling) {
      cut();
      post('Profiler.start');
    }
  });
}
