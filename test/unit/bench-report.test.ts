import { describe, expect, it } from 'vitest';
import { report } from '../../bench/report.js';

const machine = ['- CPU: 2 × test'];
const whole = report({ earlier: '', sections: ['## 1. One\n\nfirst\n', '## 2. Two\n\nsecond\n'], machine, today: '2026-12-01', runs: 3, partial: false });

describe('the benchmark report', () => {
  it('is every section, in order, under the date and the machine', () => {
    expect(whole).toBe(
      '# Benchmarks\n\nMeasured by `npm run bench` on 2026-12-01; 3 runs each (many branches: one per count, the server + worker case as many as the rest), medians of the per-run figures.\n\n## Machine\n\n- CPU: 2 × test\n\n## 1. One\n\nfirst\n\n## 2. Two\n\nsecond\n',
    );
  });

  it('replaces only the sections of a partial run, which say when they were measured', () => {
    const again = report({ earlier: whole, sections: ['## 2. Two\n\nsecond, faster\n'], machine, today: '2026-12-02', runs: 1, partial: true });

    expect(again).toContain('Measured by `npm run bench` on 2026-12-01');
    expect(again).toContain('## 1. One\n\nfirst\n');
    expect(again).toContain('## 2. Two\n\n_Measured on 2026-12-02, apart from the sections around it._\n\nsecond, faster\n');
    expect(again).not.toContain('second\n\n');
    expect(again.indexOf('## 1.')).toBeLessThan(again.indexOf('## 2.'));
  });

  it('adds a section the earlier report did not have, in its place', () => {
    const earlier = report({ earlier: '', sections: ['## 1. One\n\nfirst\n', '## 3. Three\n\nthird\n'], machine, today: '2026-12-01', runs: 3, partial: false });

    const again = report({ earlier, sections: ['## 2. Two\n\nsecond\n'], machine, today: '2026-12-02', runs: 3, partial: true });

    expect(again.match(/^## \d\./gm)).toEqual(['## 1.', '## 2.', '## 3.']);
  });

  it('keeps what was written by hand under the date of the whole run', () => {
    const earlier = whole.replace('medians of the per-run figures.\n', 'medians of the per-run figures.\n\nA note on the machine.\n');

    const again = report({ earlier, sections: ['## 2. Two\n\nsecond, faster\n'], machine, today: '2026-12-02', runs: 1, partial: true });

    expect(again).toContain('on 2026-12-01; 3 runs each (many branches: one per count, the server + worker case as many as the rest), medians of the per-run figures.\n\nA note on the machine.\n\n## Machine');
  });

  it('refuses a section without a numbered heading', () => {
    expect(() => report({ earlier: '', sections: ['no heading'], machine, today: '2026-12-01', runs: 3, partial: false })).toThrow('must begin with "## N. Title"');
  });
});
