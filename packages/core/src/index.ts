export * from './types.ts';
export * from './clock.ts';
export * from './state-machine.ts';
export * from './policies.ts';
export * from './answers.ts';
export * from './due.ts';
