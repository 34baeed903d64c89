/**
 * Loading the npm packages that stay outside the bundle: the heavy SDKs, imported only by the
 * task kinds that use them.
 *
 * bin/bootstrap.cjs runs the bundle as a script compiled with V8's code cache (`vm.Script`), where
 * a dynamic `import()` needs an experimental Node option (and prints a warning on Node 20). The
 * launcher therefore passes its own `import` in as `__bsImport`; from the sources (tests) and
 * from tsc's dist/, a plain `import()` does the same.
 */
declare const __bsImport: ((specifier: string) => Promise<unknown>) | undefined;

export function importExternal<T>(specifier: string): Promise<T> {
  if (typeof __bsImport === 'function') return __bsImport(specifier) as Promise<T>;
  return import(specifier) as Promise<T>;
}
