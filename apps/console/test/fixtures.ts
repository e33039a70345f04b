import { call, QUESTIONS, type SpawnedServer } from '@invigil/server/testing';

const FIRST = ['Amara', 'Ben', 'Chloé', 'Dmitri', 'Esther', 'Farid', 'Greta', 'Hiro', 'Ines', 'Jonas', 'Kemi', 'Lars', 'Maya', 'Nikhil', 'Olga', 'Pedro', 'Qi', 'Rosa', 'Sami', 'Tess', 'Umar', 'Vera', 'Wim', 'Yara'];
const LAST = ['Okafor', 'Schmidt', 'Martin', 'Ivanov', 'Cohen', 'Haddad', 'Larsen', 'Tanaka', 'García', 'Weber', 'Adeyemi', 'Nilsson', 'Patel', 'Rao', 'Petrova', 'Silva', 'Wang', 'Rossi', 'Khan', 'Byrne', 'Farouk', 'Novak', 'de Vries', 'Haddad'];

export interface Setup {
  adminToken: string;
  examId: string;
  centerId: string;
  roomId: string;
  candidates: { candidateId: string; accessCode: string; name: string; seat: string }[];
  proctor: { username: string; password: string };
}

/**
 * Admin signs in, creates a center with a room, an exam with `n` named candidates seated in that
 * room (roster import), and a proctor assigned to the center.
 */
export async function setupExam(s: SpawnedServer, n: number, title = 'Mathematics — Paper 1'): Promise<Setup> {
  const login = await call(`${s.api}/auth/staff/login`, 'POST', { username: 'admin', password: s.adminPassword });
  if (login.status !== 200) throw new Error(`admin login failed: ${JSON.stringify(login.body)}`);
  const adminToken = login.body.token as string;
  const exam = await call(`${s.api}/admin/exams`, 'POST', { title, durationMinutes: 90, questions: QUESTIONS }, adminToken);
  if (exam.status !== 201) throw new Error(`exam create failed: ${JSON.stringify(exam.body)}`);
  const examId = exam.body.id as string;
  const opened = await call(`${s.api}/admin/exams/${examId}/open`, 'POST', undefined, adminToken);
  if (opened.status !== 200) throw new Error(`open failed: ${JSON.stringify(opened.body)}`);
  const center = await call(`${s.api}/admin/centers`, 'POST', { name: 'North Hall', address: '1 College Road' }, adminToken);
  if (center.status !== 201) throw new Error(`center create failed: ${JSON.stringify(center.body)}`);
  const room = await call(`${s.api}/admin/centers/${center.body.id}/rooms`, 'POST', { name: 'Room 2', capacity: 40 }, adminToken);
  if (room.status !== 201) throw new Error(`room create failed: ${JSON.stringify(room.body)}`);
  const candidates = Array.from({ length: n }, (_, i) => ({
    candidateId: `C${String(1001 + i)}`,
    name: `${FIRST[i % FIRST.length]} ${LAST[(i * 7) % LAST.length]}`,
    accessCode: `code-${1001 + i}-secret`,
    // Rows A, B, C… of six desks (A1…A6, B1…), unique up to 26 × 6 × 4 seats.
    seat: `${String.fromCharCode(65 + (Math.floor(i / 6) % 26))}${(i % 6) + 1 + 6 * Math.floor(i / 156)}`,
  }));
  const roster = await call(`${s.api}/admin/exams/${examId}/roster`, 'POST', { candidates: candidates.map((c) => ({ ...c, center: center.body.id, room: room.body.id })) }, adminToken);
  if (roster.status !== 200) throw new Error(`roster import failed: ${roster.status} ${JSON.stringify(roster.body).slice(0, 500)}`);
  const proctor = { username: 'proctor.ines', password: 'proctor-password-123' };
  const staff = await call(`${s.api}/admin/staff`, 'POST', { ...proctor, role: 'proctor', displayName: 'Ines Moreau' }, adminToken);
  if (staff.status !== 201) throw new Error(`staff create failed: ${JSON.stringify(staff.body)}`);
  const assigned = await call(`${s.api}/admin/staff/${staff.body.id}/assignments`, 'PUT', { assignments: [{ centerId: center.body.id, roomId: null }] }, adminToken);
  if (assigned.status !== 200) throw new Error(`assignment failed: ${JSON.stringify(assigned.body)}`);
  return { adminToken, examId, centerId: center.body.id, roomId: room.body.id, candidates, proctor };
}
