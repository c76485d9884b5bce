/**
 * An error caused by the user's input (a file, a flag, a name). The CLI prints `message` without a
 * stack trace and exits with code 2; `location` names the file, line and field where known.
 */
export class UserError extends Error {
  constructor(message: string, readonly location?: string) {
    super(location ? `${location}: ${message}` : message);
    this.name = 'UserError';
  }
}
