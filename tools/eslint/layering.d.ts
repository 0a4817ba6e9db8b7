// Types of layering.js (plain JavaScript, loaded by eslint.config.js) for the TypeScript tests that use it.
import type { ESLint } from 'eslint';

export declare const TOP: 'top';
export declare const ROOMS: Readonly<Record<string, ReadonlyArray<string>>>;
export declare const CLUSTER_PARTS: Readonly<Record<string, ReadonlyArray<string>>>;
export declare const PACKAGES: Readonly<Record<string, ReadonlyArray<string>>>;
export declare function packageOf(specifier: string): string;
export declare function placeOf(
  srcDir: string,
  file: string,
): { room: string; part: string | undefined; relative: string } | undefined;
declare const plugin: ESLint.Plugin;
export default plugin;
