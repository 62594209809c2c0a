import { lagProblem } from './projection-lag';

describe('lagProblem', () => {
  it('is ready up to the limit and names the lag and the limit beyond it', () => {
    expect(lagProblem(0, 30)).toBeUndefined();
    expect(lagProblem(30, 30)).toBeUndefined();
    expect(lagProblem(31.25, 30)).toBe('read models are 31.3 s behind the event store (limit 30 s)');
  });
});
