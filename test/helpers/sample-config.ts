import { stringify } from 'yaml';

/** The test registry that scripts/services.sh runs. */
export const TEST_REGISTRY = '127.0.0.1:5000';

/** Where the sample service's `test` target leaves its reports. */
export const SAMPLE_REPORTS = {
  coverage: { path: '/app/coverage/lcov.info', format: 'lcov' },
  junit: '/app/reports/junit.xml',
};

/** An environment's port, or its keys as slipway.yml spells them. */
type Environment = number | Record<string, unknown>;

const environment = (defaults: Record<string, unknown>, given: Environment | undefined) =>
  given === undefined ? [] : [{ ...defaults, ...(typeof given === 'number' ? { port: given } : given) }];

/**
 * A service in the channels the fake Slack's signer uses: it types commands in #deploys and clicks buttons in
 * #sample unless a test names a channel, and the service takes both from there.
 */
export const SIGNER_CHANNELS = { channel: '#sample', channels: ['#deploys', '#sample'] };

export type SampleService = {
  /** The service's name; `sample` unless given. */
  service?: string;
  repoUrl: string;
  /** Its image: a name alone (no `/`) is one in the test registry; a full reference is taken as it is. */
  image: string;
  /** Its Slack channel; `#<service>` unless given. */
  channel?: string;
  /** Runs the sample's `test` target, with its coverage and JUnit reports. */
  tests?: boolean;
  /** A first environment `staging`: its port, or its keys over `healthTimeoutSeconds: 5`. */
  staging?: Environment;
  /** Then `production` behind an approval: its port, or its keys over `requireApproval` and the 5 s health timeout. */
  production?: Environment;
  /**
   * Every other key of the service as slipway.yml spells it (`environments` when not just staging and
   * production, `approvers`, `branches`, …).
   * `buildTarget: app` and `network: host` are there unless given; given as undefined, they are left out.
   */
  [key: string]: unknown;
};

/**
 * slipway.yml for services built from the sample repository (or one named like it): each test passes only
 * what its services do differently.
 */
export function sampleConfig(...services: SampleService[]): string {
  const entries = services.map(({ service = 'sample', repoUrl, image, channel = `#${service}`, tests = false, staging, production, ...rest }) => [
    service,
    {
      repo: repoUrl,
      ...(tests ? { testTarget: 'test', reports: SAMPLE_REPORTS } : {}),
      buildTarget: 'app',
      image: image.includes('/') ? image : `${TEST_REGISTRY}/${image}`,
      network: 'host',
      channel,
      environments: [
        ...environment({ name: 'staging', healthTimeoutSeconds: 5 }, staging),
        ...environment({ name: 'production', requireApproval: true, healthTimeoutSeconds: 5 }, production),
      ],
      ...rest,
    },
  ]);
  // Services share the reports object: written out in each, not as a YAML alias.
  return stringify({ services: Object.fromEntries(entries) }, { aliasDuplicateObjects: false });
}
