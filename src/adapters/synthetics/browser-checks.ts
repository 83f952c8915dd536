import type { Browser } from 'playwright-core';
import type { SyntheticCheck } from '../../core/config-schema.js';
import type { CheckResult, CheckTarget, SyntheticsProvider } from '../../core/synthetics.js';

type BrowserCheck = Extract<SyntheticCheck, { type: 'browser' }>;
type Step = BrowserCheck['steps'][number];

/**
 * The flags a headless Chromium needs on a server: no sandbox when root, and none of the background traffic
 * a closed network refuses.
 */
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Browser checks in headless Chromium (Debian's, driven by playwright-core: no browser download). */
export function browserChecks(executablePath: string): SyntheticsProvider {
  return {
    kind: 'browser',
    async run(checks, target) {
      const browserChecks = checks.filter((c): c is BrowserCheck => c.type === 'browser');
      if (browserChecks.length === 0) return [];
      let browser: Browser;
      try {
        // Loaded on first use: playwright-core costs ~90 MiB of memory that a server, or a service with no
        // browser checks, never needs.
        const { chromium } = await import('playwright-core');
        browser = await chromium.launch({ executablePath, args: FLAGS, timeout: 30_000 });
      } catch (error) {
        const message = (error as Error).message.split('\n')[0] ?? '';
        return browserChecks.map((check) => ({
          name: check.name,
          kind: 'browser' as const,
          passed: false,
          durationMs: 0,
          detail: `cannot start Chromium at ${executablePath} (${message}): install it (apt-get install chromium) or set SLIPWAY_CHROMIUM`,
        }));
      }
      try {
        const results: CheckResult[] = [];
        for (const check of browserChecks) results.push(await runOne(browser, check, target));
        return results;
      } finally {
        await browser.close();
      }
    },
  };
}

async function runOne(browser: Browser, check: BrowserCheck, target: CheckTarget): Promise<CheckResult> {
  const started = performance.now();
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(Math.min(target.timeoutMs, 10_000));
  try {
    for (const [index, step] of check.steps.entries()) {
      try {
        await runStep(page, step, target.localUrl);
      } catch (error) {
        const screenshot = await page.screenshot({ fullPage: true }).catch(() => undefined);
        const reason = ((error as Error).message.split('\n')[0] ?? '').replace(/^[a-zA-Z.]+: /, '');
        return {
          name: check.name,
          kind: 'browser',
          passed: false,
          durationMs: Math.round(performance.now() - started),
          detail: `step ${index + 1} (${describe(step)}) failed: ${reason}`,
          screenshot: screenshot && new Uint8Array(screenshot),
        };
      }
    }
    return { name: check.name, kind: 'browser', passed: true, durationMs: Math.round(performance.now() - started), detail: `${check.steps.length} steps passed` };
  } finally {
    await context.close();
  }
}

async function runStep(page: import('playwright-core').Page, step: Step, baseUrl: string): Promise<void> {
  if ('goto' in step) {
    const res = await page.goto(new URL(step.goto, baseUrl).toString());
    if (res && !res.ok()) throw new Error(`${step.goto} answered ${res.status()}`);
  } else if ('click' in step) await page.click(step.click);
  else if ('fill' in step) await page.fill(step.fill, step.with);
  else await page.getByText(step.expectText).first().waitFor({ state: 'visible' });
}

function describe(step: Step): string {
  if ('goto' in step) return `goto ${step.goto}`;
  if ('click' in step) return `click ${step.click}`;
  if ('fill' in step) return `fill ${step.fill}`;
  return `expect text "${step.expectText}"`;
}
