// Names shared by the build-time (schematics) and deploy-time (builders) faces; compiled with the CommonJS build into dist/common.
/** The npm name users import the runtime from and that `collection.json` is published under. */
export const NG_ISR_PACKAGE = 'ng-isr';

/** Environment variable the generated server.ts and the invalidate builder read the token from. */
export const DEFAULT_TOKEN_ENV = 'ISR_INVALIDATE_TOKEN';

/** Default path of the on-demand invalidation endpoint. */
export const DEFAULT_INVALIDATE_PATH = '/api/invalidate';
