/** A problem with the builder's input, found before any request is sent. Its message is shown as is. */
export class OptionsError extends Error {
  override readonly name = 'OptionsError';
}
