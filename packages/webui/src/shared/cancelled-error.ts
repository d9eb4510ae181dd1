// The error a flow rejects with when the person closed its dialog themselves: not a failure to report.

export class CancelledError extends Error {
  constructor(message = 'Cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}
