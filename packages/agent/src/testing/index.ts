export * from './tcp-proxy.ts';
export * from './fake-platform.ts';
