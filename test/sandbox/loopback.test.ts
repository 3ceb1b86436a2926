import { describe, expect, it } from 'vitest';
import { adminTokenProblem, isLoopbackAddress } from '../../src/sandbox/admin/access.js';

describe('isLoopbackAddress (who may use the sandbox admin without a token)', () => {
  it.each([
    '127.0.0.1',
    '127.0.0.2',
    '127.255.255.254',
    '::1',
    '0:0:0:0:0:0:0:1',
    '::ffff:127.0.0.1',
    '::FFFF:127.10.0.1',
  ])('%s is loopback', (address) => {
    expect(isLoopbackAddress(address)).toBe(true);
  });

  it.each([
    '192.0.2.2',
    '10.0.0.1',
    '128.0.0.1',
    '126.255.255.255',
    '0.0.0.0',
    '::',
    '::2',
    'fd00::2',
    'fe80::1',
    '::ffff:192.0.2.2',
    '::ffff:10.0.0.1',
    'localhost',
    '127.0.0.1.example.com',
    '',
  ])('%s is not', (address) => {
    expect(isLoopbackAddress(address)).toBe(false);
  });

  it('an unknown address (a closed socket) is not', () => {
    expect(isLoopbackAddress(undefined)).toBe(false);
  });
});

describe('adminTokenProblem', () => {
  it('accepts none, or one token of 16 characters or more', () => {
    expect(adminTokenProblem(undefined)).toBeUndefined();
    expect(adminTokenProblem('0123456789abcdef')).toBeUndefined();
  });
  it('names the option for a short, blank or spaced token', () => {
    expect(adminTokenProblem('short')).toMatch(/^sandbox: adminToken must be at least 16 characters$/);
    expect(adminTokenProblem('')).toMatch(/at least 16/);
    expect(adminTokenProblem('0123456789 abcdef')).toMatch(/^sandbox: adminToken must not contain spaces$/);
    expect(adminTokenProblem(1234)).toMatch(/at least 16/);
  });
});
