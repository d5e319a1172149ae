import { mapRawMessage } from '../trade-mapper';
import { scenarioRules } from './trade-fixtures';

describe('scenario: a raw message that is not JSON', () => {
  it('is invalid with a reason a person understands', () => {
    expect(mapRawMessage(Buffer.from('<html>502 Bad Gateway</html>'), scenarioRules())).toEqual({
      outcome: 'invalid',
      reason: 'not_json',
      detail: expect.stringMatching(
        /^the message is not JSON \(.+\): <html>502 Bad Gateway<\/html>$/,
      ) as string,
    });
  });

  it('an empty or null value is invalid too', () => {
    const expected = {
      outcome: 'invalid',
      reason: 'not_json',
      detail: 'the message has no value (expected the JSON of a WDT trade)',
    };
    expect(mapRawMessage(null, scenarioRules())).toEqual(expected);
    expect(mapRawMessage(Buffer.alloc(0), scenarioRules())).toEqual(expected);
  });

  it('JSON that is not an object (a list, a number) is invalid', () => {
    expect(mapRawMessage('[1,2]', scenarioRules())).toEqual({
      outcome: 'invalid',
      reason: 'schema_violation',
      detail: 'message is not a JSON object',
    });
    expect(mapRawMessage('42', scenarioRules()).outcome).toBe('invalid');
  });
});
