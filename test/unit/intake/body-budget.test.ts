import { describe, expect, it } from 'vitest';
import { BodyBudget } from '../../../src/intake/body-budget.js';

describe('BodyBudget', () => {
  it('holds at most maxBodies bodies and maxBytes bytes at once, and gives room back once', () => {
    const budget = new BodyBudget(2, 100);
    const first = budget.reserve(60);
    expect(first).toBeDefined();
    expect(budget.reserve(50)).toBeUndefined(); // 110 bytes
    const second = budget.reserve(40);
    expect(budget.held).toEqual({ bodies: 2, bytes: 100 });
    expect(budget.reserve(0)).toBeUndefined(); // a third body
    first?.();
    first?.(); // twice is once
    expect(budget.held).toEqual({ bodies: 1, bytes: 40 });
    second?.();
    expect(budget.held).toEqual({ bodies: 0, bytes: 0 });
    expect(budget.reserve(100)).toBeDefined();
  });
});
