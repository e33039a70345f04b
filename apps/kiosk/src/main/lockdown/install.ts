import type { Dispose, LockdownContext, LockdownModule } from './types.ts';

/**
 * Installs the modules in list order and returns one dispose that undoes them in reverse order.
 * If one fails, those already installed are undone and the error (naming the module) is thrown:
 * a kiosk that is only partly locked down must not start.
 */
export function installLockdown(modules: readonly LockdownModule[], ctx: LockdownContext): Dispose {
  const installed: { name: string; dispose: Dispose }[] = [];
  const disposeAll = () => {
    for (const m of installed.splice(0).reverse()) {
      try {
        m.dispose();
      } catch (e) {
        ctx.log.warn('lockdown module failed to dispose', { module: m.name, error: (e as Error).message });
      }
    }
  };
  for (const m of modules) {
    try {
      installed.push({ name: m.name, dispose: m.install(ctx) });
      ctx.log.debug('lockdown module installed', { module: m.name });
    } catch (e) {
      disposeAll();
      if (e instanceof Error) e.message = `lockdown module ${m.name}: ${e.message}`;
      throw e;
    }
  }
  return disposeAll;
}
