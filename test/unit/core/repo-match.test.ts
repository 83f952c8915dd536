import { describe, expect, it } from 'vitest';
import { findServiceForRepo, repoKey } from '../../../src/core/repo-match.js';
import { parseConfig } from '../../../src/config.js';
import { serviceList } from '../../../src/core/config-schema.js';

describe('repoKey', () => {
  it.each([
    ['https://git.example.com/acme/discounts.git', 'git.example.com/acme/discounts'],
    ['https://token:x@Git.Example.com/acme/discounts/', 'git.example.com/acme/discounts'],
    ['git@git.example.com:acme/discounts.git', 'git.example.com/acme/discounts'],
    ['ssh://git@git.example.com:2222/acme/discounts.git', 'git.example.com/acme/discounts'],
    ['http://git.example.com/acme/discounts', 'git.example.com/acme/discounts'],
    ['file:///srv/git/discounts.git', 'file/srv/git/discounts'],
    ['acme/discounts', 'acme/discounts'],
  ])('%s → %s', (url, key) => {
    expect(repoKey(url)).toBe(key);
  });
});

describe('findServiceForRepo', () => {
  const services = serviceList(parseConfig(`
services:
  by-url: { repo: "https://git.example.com/acme/discounts.git", image: r/a, channel: "#a", environments: [{ name: staging, port: 1 }] }
  by-name: { repo: Acme/Payments, image: r/b, channel: "#b", environments: [{ name: staging, port: 2 }] }
`));

  it.each([
    [{ fullName: 'acme/discounts', urls: ['git@git.example.com:acme/discounts.git'] }, 'by-url'],
    [{ fullName: 'acme/payments', urls: ['https://github.com/acme/payments.git'] }, 'by-name'],
    [{ fullName: 'acme/discounts', urls: ['https://other.example.com/acme/discounts.git'] }, undefined],
    [{ fullName: 'acme/other', urls: ['https://github.com/acme/other.git'] }, undefined],
  ])('%j → %s', (repo, expected) => {
    expect(findServiceForRepo(services, repo)?.name).toBe(expected);
  });
});
