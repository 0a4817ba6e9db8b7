// A Vite plugin that compiles the camera form's JSON Schema validator at build time. The server's content
// security policy forbids 'unsafe-eval', so ajv may not compile schemas in the browser: the module
// `virtual:camera-validator` exports the camera item schema of the config (as GET /api/config/schema serves it)
// and ajv's standalone validation code for it, which the Cameras page hands to rjsf's precompiled validator.
import { compileSchemaValidatorsCode } from '@rjsf/validator-ajv8/compileSchemaValidators';
import { runnerImport, type Plugin } from 'vite';
import { cameraItemSchema } from './src/components/cameraSchema.ts';

const MODULE_ID = 'virtual:camera-validator';
const RESOLVED_ID = `\0${MODULE_ID}`;
const CONFIG_ROOM = new URL('../../src/config/index.ts', import.meta.url).pathname;

type ConfigRoom = { appConfigJsonSchema: () => Record<string, unknown> };

/** ajv's standalone code is CommonJS (`exports[hash] = fn`); this makes it an ES module of one default export. */
function toEsModule(commonJsCode: string): string {
  if (/\brequire\(/.test(commonJsCode))
    throw new Error(
      'precompiled camera validator: ajv emitted a runtime require() (a keyword that needs an ajv helper); ' +
        'extend toEsModule to import it',
    );
  return `const exports = {};\n${commonJsCode.replace(/^"use strict";/, '')}\nexport default exports;\n`;
}

export function cameraValidatorPlugin(): Plugin {
  return {
    name: 'ppipe-camera-validator',
    resolveId: (id) => (id === MODULE_ID ? RESOLVED_ID : undefined),
    async load(id) {
      if (id !== RESOLVED_ID) return undefined;
      this.addWatchFile(CONFIG_ROOM);
      const { module } = await runnerImport<ConfigRoom>(CONFIG_ROOM);
      const schema = cameraItemSchema(module.appConfigJsonSchema());
      // unicode: false counts string lengths in UTF-16 units, as zod does on the server, inline (without ajv's
      // ucs2length helper module); ajv calls the option deprecated, which is the one warning dropped here.
      const logger = {
        log: () => undefined,
        warn: (...args: unknown[]) => {
          if (!String(args[0]).startsWith('DEPRECATED: option unicode')) this.warn(args.map(String).join(' '));
        },
        error: (...args: unknown[]) => this.error(args.map(String).join(' ')),
      };
      const code = compileSchemaValidatorsCode(schema, { ajvOptionsOverrides: { unicode: false, logger } });
      return `${toEsModule(code)}export const cameraSchema = ${JSON.stringify(schema)};\n`;
    },
  };
}
