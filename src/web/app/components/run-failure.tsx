/** Why a search or comparison did not run: a spent quota is a warning, a photo without a face says so. */
import { ApiError, messageOf } from '../api/client.js';
import { Message } from './common.js';

export function RunFailure({ failure, what }: { failure: unknown; what: string }) {
  const code = failure instanceof ApiError ? failure.code : undefined;
  return (
    <Message
      kind={code === 'QUOTA' ? 'warn' : 'error'}
      title={code === 'NO_FACE' ? 'No face found' : `The ${what} did not run`}
    >
      {messageOf(failure)}
    </Message>
  );
}
