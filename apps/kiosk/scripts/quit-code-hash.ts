// Prints the scrypt hash of a staff quit code for the kiosk config (kiosk.json → "quitCodeHash").
// The code is read from stdin so it does not land in the shell history:
//   printf '%s' 'a-long-random-staff-code' | pnpm --filter @invigil/kiosk quit-code-hash
import { hashQuitCode, MIN_QUIT_CODE_LENGTH } from '../src/main/policy/quit-code.ts';

const chunks: Buffer[] = [];
for await (const c of process.stdin) chunks.push(c as Buffer);
const code = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
if ([...code].length < MIN_QUIT_CODE_LENGTH) {
  console.error(`quit-code-hash: give a code of at least ${MIN_QUIT_CODE_LENGTH} characters on stdin`);
  process.exit(2);
}
console.log(await hashQuitCode(code));
