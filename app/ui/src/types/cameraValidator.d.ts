// The module generated at build time by app/ui/precompiledValidators.ts.
declare module 'virtual:camera-validator' {
  import type { ValidatorFunctions } from '@rjsf/validator-ajv8';
  import type { RJSFSchema } from '@rjsf/utils';
  const validateFns: ValidatorFunctions;
  export default validateFns;
  export const cameraSchema: RJSFSchema;
}
