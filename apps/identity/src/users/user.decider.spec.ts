import { command, specFor } from '@siteops/testing';
import { emailKey, userDecider } from './user.decider';

const given = specFor(userDecider);
const userId = '0b6a3a3e-51a7-4c43-8f43-2a2b8f4f0a01';
const register = command('RegisterUser', { userId, email: 'Ada@Example.org', name: 'Ada', platformAdmin: false });
const registered = { type: 'UserRegistered', data: { userId, email: 'Ada@Example.org', name: 'Ada', platformAdmin: false } } as const;

describe('user decider', () => {
  it('registers a new user with the e-mail as written', () => {
    given([]).when(register).then([registered]);
  });

  it('refuses to register the same user id twice', () => {
    given([registered])
      .when(register)
      .thenThrows('already_exists');
  });

  it('folds the registration into the state', () => {
    const state = userDecider.evolve(userDecider.initialState(), registered);
    expect(state).toEqual({ status: 'registered', userId, email: 'Ada@Example.org', platformAdmin: false });
  });
});

describe('emailKey', () => {
  it('makes addresses that differ only in case or surrounding space the same key', () => {
    expect(emailKey(' Ada@Example.ORG')).toBe(emailKey('ada@example.org'));
    expect(emailKey('ada@example.org')).not.toBe(emailKey('bob@example.org'));
  });
});
